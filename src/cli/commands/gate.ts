// `mes-e2e gate`: the verdict over the messages of one run or of all its shards, with the policy of
// the configuration (or --policy FILE); writes gate.json, summary.md and report.html and tells GitHub Actions.
import { existsSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { RunPlan } from '../../config/load.ts';
import { MesE2eError } from '../../errors.ts';
import { historyFileText } from '../../gate/history-file.ts';
import { judgeWithHistory } from '../../gate/history-verdict.ts';
import { latestRun } from '../../gate/latest-run.ts';
import { evaluateResults, type GateVerdict, type ResultStream } from '../../gate/results.ts';
import { failedScenarioJourneys } from '../../report/failed-journeys.ts';
import { inGitHubActions, publishToGitHub } from '../../report/github.ts';
import { summaryMarkdown } from '../../report/summary.ts';
import { pageVerdictOf, writeReportPage } from '../../report/write-report-page.ts';
import { writeGateJson } from '../../report/write-reports.ts';
import { type Outcome, outcomeOfVerdict } from '../outcome.ts';
import type { Output } from '../output.ts';
import { backtestPolicy } from './backtest.ts';
import { readEarlierRuns } from './history-input.ts';
import { messagesFilesUnder, readStream } from './results-files.ts';

export interface GateOptions {
  /** The run to judge; required unless `backtest` is given. */
  results?: string[];
  out?: string;
  json?: boolean;
  /** Judge every run found under the folders given, not only each folder's latest run. */
  allRuns?: boolean;
  /** Earlier runs: history files the gate wrote, folders or messages files of runs. */
  history?: string[];
  /** Stored runs to judge again with the policy, oldest first, instead of judging a run; writes nothing. */
  backtest?: string[];
}

export interface GivenResults {
  streams: ResultStream[];
  /** What was left out and why, for the reader. */
  notes: string[];
}

/**
 * Reads every results path; one that cannot be read becomes a stream with its error, never a gap.
 * A folder stands for its latest run (all its shards) unless `allRuns`: reports/ keeps every run.
 */
export function readResults(cwd: string, paths: readonly string[], allRuns = false): GivenResults {
  const notes: string[] = [];
  const streams = paths.flatMap((given): ResultStream[] => {
    const path = resolve(cwd, given);
    if (!existsSync(path) || !statSync(path).isDirectory()) return [readStream(path).stream];
    const files = messagesFilesUnder(path);
    if (files.length === 0) return [{ source: given, error: `no messages.ndjson under ${path}` }];
    const found = files.map(readStream);
    if (allRuns) return found.map(({ stream }) => stream);
    const { kept, leftOut } = latestRun(found);
    if (leftOut.length > 0)
      notes.push(
        `${given} holds ${leftOut.length + 1} runs: judging the latest, leaving out ${leftOut.join(', ')} (--all-runs judges every one)`,
      );
    return kept;
  });
  return { streams, notes };
}

function print(out: Output, verdict: GateVerdict): void {
  const { counts } = verdict;
  out.line(
    `${verdict.runs.length} result file(s), ${counts.scenarios} scenario(s): ${counts.passed} passed, ${counts.failed} failed, ${counts.flaky} flaky, ${counts.undefined} undefined, ${counts.pending} pending, ${counts.skipped} skipped`,
  );
  if (verdict.compromised.length > 0)
    out.line(out.color.red('the environment broke during the run: the product was not shown to be at fault'));
  out.line(verdict.verdict === 'PROMOTE' ? out.color.green.bold('PROMOTE') : out.color.red.bold('BLOCK'));
  for (const reason of verdict.reasons) out.line(`  - ${reason}`);
}

export async function gate(
  plan: RunPlan,
  io: { cwd: string; env: Readonly<Record<string, string | undefined>> },
  out: Output,
  options: GateOptions,
): Promise<Outcome> {
  const { policy } = plan;
  if (options.backtest) return backtestPolicy(policy, io.cwd, out, options.backtest, options.json === true);
  if (!options.results || options.results.length === 0)
    throw new MesE2eError(
      'usage',
      'mes-e2e gate needs the run to judge (--results) or stored runs to judge again (--backtest)',
      'e.g. mes-e2e gate --results reports/ --history reports/gate/history.json',
    );
  const given = readResults(io.cwd, options.results, options.allRuns === true);
  for (const note of given.notes) out.progress(note);
  // Earlier runs are read before anything is written: a history that cannot be used is a usage error.
  const earlier = readEarlierRuns(io.cwd, options.history ?? [], policy);
  const remembered = judgeWithHistory(
    evaluateResults(given.streams, policy),
    given.streams,
    earlier,
    policy,
    new Date(),
  );
  const { verdict } = remembered;
  const dir = options.out ? resolve(io.cwd, options.out) : join(plan.reportsDir, 'gate');
  await mkdir(dir, { recursive: true });
  const names = [...new Set(verdict.runs.flatMap((run) => (run.identity ? [run.identity.name] : [])))];
  const runName = names.join(', ') || 'unnamed';
  await writeGateJson(dir, verdict, { runId: runName, history: remembered.history });
  // The summary remembers only when the gate was given a memory; gate.json always carries it.
  const history = options.history ? remembered.history : undefined;
  const read = given.streams.flatMap((stream) => ('envelopes' in stream ? [stream] : []));
  const summary = summaryMarkdown(verdict, {
    runId: runName,
    reportDir: dir,
    ...(history ? { history } : {}),
    journeys: failedScenarioJourneys(
      read.map((stream) => stream.envelopes),
      verdict.scenarios,
    ),
  });
  await writeFile(join(dir, 'summary.md'), summary);
  // Each shard's traces stay in its own run folder: the page links them from there.
  const page = await writeReportPage(
    dir,
    pageVerdictOf(verdict),
    read.map(({ source, envelopes }) => ({ envelopes, dir: dirname(source) })),
    { runId: runName },
  );
  const historyFile = join(dir, 'history.json');
  await writeFile(historyFile, historyFileText(remembered.keep));
  if (inGitHubActions(io.env)) {
    for (const line of publishToGitHub(verdict, summary, io.env, policy.requiredTags)) out.plainErr(line);
  }
  if (options.json)
    out.json({
      verdict: verdict.verdict,
      reasons: verdict.reasons,
      counts: verdict.counts,
      budgets: verdict.budgets,
      violations: verdict.violations,
      compromised: verdict.compromised,
      runs: verdict.runs,
      out: dir,
      reportPage: page,
      history: remembered.history,
      historyFile,
    });
  else {
    print(out, verdict);
    out.line(`one-page report: ${page}`);
    out.line(`history: ${remembered.earlier} earlier run(s) known; kept with this one in ${historyFile}`);
  }
  return outcomeOfVerdict(verdict);
}
