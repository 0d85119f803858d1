// `mes-e2e report`: the Allure HTML report of a run (the latest by default), built with
// allure-commandline; `--open` serves it to a browser until interrupted.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunPlan } from '../../config/load.ts';
import { MesE2eError } from '../../errors.ts';
import { allureBinary, buildAllureReport } from '../../report/allure-report.ts';
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
    env: Readonly<Record<string, string | undefined>>;
    signal: AbortSignal;
  },
): Promise<void> {
  const dir = runDirectory(plan, cwd, options.run);
  const html = join(dir, 'allure-report');
  out.progress(`building the Allure report of ${dir}`);
  await buildAllureReport(join(dir, 'allure-results'), html, { env: { ...options.env } });
  out.line(`Allure report: ${join(html, 'index.html')}`);
  if (!options.open) return;
  out.progress('serving it (Ctrl-C to stop)');
  const server = spawn(allureBinary(), ['open', html], { stdio: 'inherit', env: { ...options.env } });
  options.signal.addEventListener('abort', () => server.kill('SIGTERM'), { once: true });
  await once(server, 'exit');
}
