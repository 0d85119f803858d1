// `mes-e2e run`, `smoke` and `list`: the suite from the command line, with live progress and the verdict.
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { RunPlan } from '../../config/load.ts';
import { MesE2eError } from '../../errors.ts';
import { inGitHubActions, publishToGitHub } from '../../report/github.ts';
import type { ScenarioFinished } from '../../runner/progress.ts';
import { type RunOutcome, runSuite } from '../../runner/run.ts';
import type { Selection } from '../../runner/selection.ts';
import {
  checkTags,
  controllableOnly,
  defaultFeaturePaths,
  defaultSupportImports,
  listScenarios,
  parseShard,
  suiteRoot,
} from '../../runner/suite.ts';
import { type Outcome, outcomeOfVerdict } from '../outcome.ts';
import type { Output } from '../output.ts';
import type { Interrupts } from './env.ts';

export interface RunOptions {
  tags?: string;
  /** The run's name, shared by all its shards. */
  name?: string;
  parallel?: string;
  retry?: string;
  shard?: string;
  failFast?: boolean;
  reports?: string;
  json?: boolean;
  /** smoke: tight deadlines per step. */
  smoke?: boolean;
}

function count(option: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new MesE2eError(
      'usage',
      `${option}: "${text}" is not a whole number from 0 to ${max}`,
      `e.g. ${option} 2`,
    );
  }
  return value;
}

/** What to run: paths given here, else the configuration's features, else the suite mes-e2e ships. */
export function selectionOf(
  plan: RunPlan,
  cwd: string,
  paths: readonly string[],
  options: RunOptions,
): Selection {
  const [base, features] =
    paths.length > 0
      ? [cwd, paths.map((path) => resolve(cwd, path))]
      : plan.suite.features
        ? [plan.configFile ? dirname(plan.configFile) : cwd, [...plan.suite.features]]
        : [suiteRoot, defaultFeaturePaths];
  return {
    // Feature URIs in reports are relative to where the features come from.
    cwd: base,
    paths: features,
    supportImports: [...defaultSupportImports, ...plan.suite.steps],
    tags: controllableOnly(checkTags(options.tags ?? ''), plan.components).tags,
    names: [],
    shard: parseShard(options.shard),
  };
}

/** Says which scenarios the profile cannot run: those that break a component given by URL. */
function announceLeftOut(plan: RunPlan, out: Output): void {
  const { leftOut } = controllableOnly('', plan.components);
  if (leftOut.length === 0) return;
  out.progress(
    `leaving out scenarios tagged ${leftOut.map((name) => `@breaks-${name}`).join(', ')}: ${leftOut.join(', ')} given by URL (profile ${plan.profile}), mes-e2e cannot stop them`,
  );
}

const symbols: Record<string, string> = {
  PASSED: '✔',
  FAILED: '✖',
  SKIPPED: '-',
  PENDING: '?',
  UNDEFINED: '?',
  AMBIGUOUS: '✖',
};

function printScenario(out: Output, finished: ScenarioFinished): void {
  const where = `${finished.uri}:${finished.line ?? '?'}`;
  const time = `${(finished.durationMs / 1000).toFixed(1)} s`;
  const ok = finished.status === 'PASSED';
  const paint = ok ? out.color.green : out.color.red;
  const head = `[${finished.done}/${finished.total}] ${paint(symbols[finished.status] ?? '?')} ${finished.name} (${where}, ${time})`;
  if (finished.willBeRetried) {
    out.progress(
      `${head}: attempt ${finished.attempt + 1} ${finished.status}, retrying: ${finished.message ?? ''}`,
    );
    return;
  }
  out.progress(ok ? head : `${head} ${finished.status}${finished.message ? `: ${finished.message}` : ''}`);
}

export async function run(
  plan: RunPlan,
  io: { cwd: string; env: Readonly<Record<string, string | undefined>> },
  out: Output,
  interrupts: Interrupts,
  paths: readonly string[],
  options: RunOptions,
): Promise<Outcome> {
  const started = Date.now();
  const stamp = () => `[${((Date.now() - started) / 1000).toFixed(1)}s]`;
  announceLeftOut(plan, out);
  const outcome = await runSuite({
    plan,
    selection: selectionOf(plan, io.cwd, paths, options),
    // Read by the step support code in every worker: how long one step may take.
    env: { ...io.env, MES_E2E_STEP_TIMEOUT_MS: options.smoke ? '20000' : '60000' },
    parallel: count('--parallel', options.parallel, 1, 16),
    retry: count('--retry', options.retry, 0, 10),
    failFast: options.failFast === true,
    reportsDir: options.reports ? resolve(io.cwd, options.reports) : plan.reportsDir,
    name: options.name,
    commit: io.env.GITHUB_SHA,
    signal: interrupts.signal,
    onForce: interrupts.onForce,
    onStage: (stage) => out.progress(`${stamp()} ${stage}`),
    onProgress: (message) => out.progress(`${stamp()}   ${message}`),
    onScenario: (finished) => printScenario(out, finished),
  });
  if (!outcome.verdict) {
    out.progress(`${stamp()} interrupted: the environment this run started was removed`);
    return 'interrupted';
  }
  if (inGitHubActions(io.env)) {
    const summary = await readFile(join(outcome.reportDir, 'summary.md'), 'utf8').catch(() => '');
    for (const line of publishToGitHub(outcome.verdict, summary, io.env, plan.policy.quarantineTag))
      out.plainErr(line);
  }
  printOutcome(out, outcome, options.json === true);
  return outcomeOfVerdict(outcome.verdict);
}

function printOutcome(out: Output, outcome: RunOutcome, asJson: boolean): void {
  const verdict = outcome.verdict;
  if (!verdict) return;
  if (asJson) {
    out.json({
      runId: outcome.runId,
      verdict: verdict.verdict,
      reasons: verdict.reasons,
      counts: verdict.counts,
      reports: outcome.reportDir,
      environment: outcome.environment,
      compromised: verdict.compromised,
      durationMs: Math.round(outcome.durationMs),
    });
    return;
  }
  const { counts } = verdict;
  out.line(
    `${counts.scenarios} scenario(s): ${counts.passed} passed, ${counts.failed} failed, ${counts.flaky} flaky, ${counts.skipped} skipped, ${counts.undefined} undefined, ${counts.pending} pending (${(outcome.durationMs / 1000).toFixed(1)} s)`,
  );
  if (verdict.compromised.length > 0) {
    out.line(
      out.color.red("the environment broke during the run: the failures below may not be the product's"),
    );
  }
  const promote = verdict.verdict === 'PROMOTE';
  out.line(promote ? out.color.green.bold('PROMOTE') : out.color.red.bold('BLOCK'));
  for (const reason of verdict.reasons) out.line(`  - ${reason}`);
  out.line(`reports: ${outcome.reportDir}`);
}

export async function list(
  plan: RunPlan,
  cwd: string,
  out: Output,
  paths: readonly string[],
  options: RunOptions,
): Promise<void> {
  const selection = selectionOf(plan, cwd, paths, options);
  announceLeftOut(plan, out);
  const scenarios = await listScenarios(selection);
  if (options.json) {
    out.json(scenarios);
    return;
  }
  for (const scenario of scenarios) {
    const undefinedSteps =
      scenario.undefinedSteps > 0 ? `  (${scenario.undefinedSteps} undefined step(s))` : '';
    out.line(
      `${scenario.uri}:${scenario.line}  ${scenario.name}  ${scenario.tags.join(' ')}${undefinedSteps}`,
    );
  }
  out.line(`${scenarios.length} scenario(s)`);
}
