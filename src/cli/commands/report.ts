// `mes-e2e report`: the Allure HTML report of a run (the latest by default), built with
// allure-commandline; `--open` serves it to a browser until interrupted.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunPlan } from '../../config/load.ts';
import { MesE2eError } from '../../errors.ts';
import { allureBinary, buildAllureReport, carryAllureHistory } from '../../report/allure-report.ts';
import type { Output } from '../output.ts';

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
  },
): Promise<void> {
  const dir = runDirectory(plan, cwd, options.run);
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
