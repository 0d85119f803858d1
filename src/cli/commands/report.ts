// `mes-e2e report`: the Allure HTML report of a run (the latest by default), built with
// allure-commandline; `--open` serves it to a browser until interrupted. `--single-file` (re)builds
// report.html instead, the one page that needs no Java, no server and no network.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { RunPlan } from '../../config/load.ts';
import { MesE2eError } from '../../errors.ts';
import { evaluateResults, type ResultStream } from '../../gate/results.ts';
import { allureBinary, buildAllureReport, carryAllureHistory } from '../../report/allure-report.ts';
import {
  type PageVerdict,
  pageVerdictOf,
  readGateJson,
  writeReportPage,
} from '../../report/write-report-page.ts';
import type { Output } from '../output.ts';
import { messagesFilesUnder, readStream } from './results-files.ts';

function runDirectory(plan: RunPlan, cwd: string, given: string | undefined): string {
  const dir = given ? resolve(cwd, given) : join(plan.reportsDir, 'latest');
  if (!existsSync(dir)) {
    throw new MesE2eError(
      'usage',
      given ? `no run reports at ${dir}` : `no run yet: ${dir} does not exist`,
      'run the scenarios first (mes-e2e run), or give a run folder: mes-e2e report reports/<run-id>',
    );
  }
  return realpathSync(dir);
}

export async function report(
  plan: RunPlan,
  cwd: string,
  out: Output,
  options: {
    run?: string;
    open?: boolean;
    /** The previous report (or its run folder), whose history/ fills this report's trend charts. */
    previous?: string | undefined;
    env: Readonly<Record<string, string | undefined>>;
    signal: AbortSignal;
    /** Write report.html, the one self-contained page, instead of the Allure report. */
    singleFile?: boolean;
    json?: boolean;
  },
): Promise<void> {
  const dir = runDirectory(plan, cwd, options.run);
  if (options.singleFile) {
    if (options.open || options.previous)
      throw new MesE2eError(
        'usage',
        '--open and --previous are for the Allure report, not --single-file',
        'report.html opens from the file itself (no server): mes-e2e report --single-file, then open the file it names',
      );
    const page = await rebuildReportPage(plan, cwd, dir, out);
    if (options.json) out.json({ reportPage: page });
    else out.line(`one-page report: ${page}`);
    return;
  }
  const html = join(dir, 'allure-report');
  const results = join(dir, 'allure-results');
  if (options.previous && existsSync(results)) {
    const carried = await carryAllureHistory(resolve(cwd, options.previous), results);
    out.progress(
      carried
        ? `carrying the trend of ${carried} into this report`
        : `${options.previous} has no history/: the trend starts with this report`,
    );
  }
  out.progress(`building the Allure report of ${dir}`);
  await buildAllureReport(results, html, { env: { ...options.env } });
  out.line(`Allure report: ${join(html, 'index.html')}`);
  if (!options.open) return;
  out.progress('serving it (Ctrl-C to stop)');
  const server = spawn(allureBinary(), ['open', html], { stdio: 'inherit', env: { ...options.env } });
  options.signal.addEventListener('abort', () => server.kill('SIGTERM'), { once: true });
  await once(server, 'exit');
}

/**
 * report.html again for a run folder (its messages.ndjson) or a gate's output (the messages files its
 * gate.json names, else those under the folder), with the verdict gate.json keeps; a folder without
 * gate.json is judged now with the configuration's policy, and the page says so.
 */
async function rebuildReportPage(plan: RunPlan, cwd: string, dir: string, out: Output): Promise<string> {
  const gateFile = join(dir, 'gate.json');
  const kept = existsSync(gateFile) ? readGateJson(gateFile) : undefined;
  const files = messagesFilesOf(dir, cwd, kept?.sources ?? []);
  if (!kept && files.length === 0)
    throw new MesE2eError(
      'usage',
      `neither gate.json nor messages.ndjson in ${dir}`,
      'give the folder of a run (reports/<run-id>) or of a gate (its --out, reports/gate by default)',
    );
  const streams: ResultStream[] = files.map((file) => readStream(file).stream);
  const notes = streams.flatMap((stream) =>
    'error' in stream
      ? [
          `${stream.source} could not be read (${stream.error}): its scenarios show only what the verdict says`,
        ]
      : [],
  );
  let verdict: PageVerdict;
  let runId: string;
  if (kept) {
    verdict = kept;
    runId = kept.runId;
    const missing = kept.sources.filter((source) => !existsSync(resolve(cwd, source)));
    if (files.length === 0 || (!existsSync(join(dir, 'messages.ndjson')) && missing.length > 0))
      notes.push(
        `messages gate.json names are not here (${missing.join(', ')}): their scenarios show only what the verdict says, without failure messages or journeys`,
      );
  } else {
    verdict = pageVerdictOf(evaluateResults(streams, plan.policy));
    runId = basename(dir);
    notes.push(`${dir} has no gate.json: this verdict was judged now, with the policy of the configuration`);
  }
  out.progress(`writing the one-page report of ${dir}`);
  return writeReportPage(
    dir,
    verdict,
    streams.flatMap((stream) =>
      'envelopes' in stream ? [{ envelopes: stream.envelopes, dir: dirname(stream.source) }] : [],
    ),
    { runId, notes },
  );
}

/** The run's own messages, else those gate.json names that are still there, else every one under the folder. */
function messagesFilesOf(dir: string, cwd: string, named: readonly string[]): string[] {
  const own = join(dir, 'messages.ndjson');
  if (existsSync(own)) return [own];
  const there = named.map((source) => resolve(cwd, source)).filter((file) => existsSync(file));
  if (there.length > 0) return there;
  return messagesFilesUnder(dir);
}
