// `mes-e2e run`, `smoke` and `list`: the suite from the command line, with live progress and the verdict.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunPlan } from '../../config/load.ts';
import { inGitHubActions, publishToGitHub } from '../../report/github.ts';
import type { ScenarioFinished } from '../../runner/progress.ts';
import { type RunOutcome, runSuite } from '../../runner/run.ts';
import { listScenarios } from '../../runner/suite.ts';
import { type Outcome, outcomeOfVerdict } from '../outcome.ts';
import type { Output } from '../output.ts';
import type { Interrupts } from './env.ts';

/**
 * Says which scenarios the profile cannot run: those that break a component given by URL, and those
 * that need a component the plan lacks (the database's replica).
 */
function announceLeftOut(plan: RunPlan, out: Output): void {
  const { leftOut, lacking } = plan;
  if (lacking.length > 0)
    out.progress(
      `leaving out scenarios tagged ${lacking.map((kind) => `@needs-${kind}`).join(', ')}: profile ${plan.profile} has no ${lacking.join(', ')} (the containers profile has one, or give one by url)`,
    );
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
  io: { env: Readonly<Record<string, string | undefined>> },
  out: Output,
  interrupts: Interrupts,
  asJson: boolean,
): Promise<Outcome> {
  const started = Date.now();
  const stamp = () => `[${((Date.now() - started) / 1000).toFixed(1)}s]`;
  announceLeftOut(plan, out);
  const outcome = await runSuite({
    plan,
    env: io.env,
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
    for (const line of publishToGitHub(outcome.verdict, summary, io.env, plan.policy.requiredTags))
      out.plainErr(line);
  }
  printOutcome(out, outcome, asJson);
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

export async function list(plan: RunPlan, out: Output, asJson: boolean): Promise<void> {
  announceLeftOut(plan, out);
  const scenarios = await listScenarios(plan.selection);
  if (asJson) {
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
