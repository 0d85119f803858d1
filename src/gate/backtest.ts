// What a policy would have decided over stored runs, oldest first: the full gate where the run's
// messages are at hand, the scenario rules alone where only its compact history record is, and the
// rules over earlier runs with the runs before it. Pure: stored runs and a policy in, decisions out.
import { withHistoryRules } from './flaky-rate.ts';
import { type RunRecord, recordOfRun, resultOf, type StoredRun } from './history.ts';
import type { Policy } from './policy.ts';
import { evaluateResults, type GateVerdict } from './results.ts';

export interface BacktestDecision {
  run: string;
  startedAt: string;
  commit?: string;
  /** What the gate decided then, when something recorded it. */
  decided?: 'PROMOTE' | 'BLOCK';
  wouldBe: 'PROMOTE' | 'BLOCK';
  reasons: string[];
  /** messages: the full gate; record: only what a compact history record can show. */
  judgedFrom: 'messages' | 'record';
  /** The rules of the policy a compact record could not be held to (empty when judged from messages). */
  notApplied: string[];
}

export function backtest(runs: readonly StoredRun[], policy: Policy): BacktestDecision[] {
  const judged: RunRecord[] = [];
  return runs.map((run) => {
    const streams = run.streams ?? [];
    const fromMessages = streams.length > 0;
    const full = fromMessages ? evaluateResults(streams, policy) : undefined;
    const base = full ?? judgeRecord(run.record, policy);
    // The run keeps its name: the same run may be named by its history record and its messages.
    const current = full ? { ...recordOfRun(full, run.record.startedAt), name: run.record.name } : run.record;
    const verdict = withHistoryRules(base, judged, current, policy);
    judged.push(current);
    return {
      run: run.record.name,
      startedAt: run.record.startedAt,
      ...(run.record.commit ? { commit: run.record.commit } : {}),
      ...(run.record.verdict ? { decided: run.record.verdict } : {}),
      wouldBe: verdict.verdict,
      reasons: verdict.reasons,
      judgedFrom: fromMessages ? 'messages' : 'record',
      notApplied: fromMessages ? [] : rulesNeedingMessages(policy),
    };
  });
}

/** The rules a compact record cannot show, as far as this policy uses them. */
function rulesNeedingMessages(policy: Policy): string[] {
  return [
    'the run itself (started, finished, hooks, parse errors, environment broken, shards complete)',
    ...(policy.neverSkip.length > 0 ? ['neverSkip'] : []),
    ...(policy.mustRun.length > 0 ? ['mustRun'] : []),
    ...(policy.budgets.length > 0 ? ['budgets'] : []),
    ...(Object.values(policy.rules).some(Boolean)
      ? ['the checks on the wire (contracts, rules over the run)']
      : []),
  ];
}

/**
 * The scenario rules over a compact record: every scenario that did not pass blocks unless
 * quarantined, required tags must pass on the first attempt, and the flaky cap and the minimum hold.
 */
function judgeRecord(record: RunRecord, policy: Policy): Pick<GateVerdict, 'verdict' | 'reasons'> {
  const gated = record.scenarios.filter((scenario) => !scenario.tags.includes(policy.quarantineTag));
  const executed = gated.filter((scenario) => scenario.status !== 'UNKNOWN');
  const flaky = gated.filter((scenario) => resultOf(scenario) === 'flaky');
  const reasons = [
    ...(executed.length < policy.minScenarios
      ? [`only ${executed.length} scenarios ran; the policy requires at least ${policy.minScenarios}`]
      : []),
    ...gated.flatMap((scenario) => {
      const label = `scenario "${scenario.name}" (${scenario.uri})`;
      if (resultOf(scenario) === 'failed' || scenario.status === 'SKIPPED')
        return [`${label} ${scenario.unfinished ? 'did not finish' : scenario.status}`];
      const required = policy.requiredTags.find((tag) => scenario.tags.includes(tag));
      return resultOf(scenario) === 'flaky' && required
        ? [`${label} is flaky, and ${required} scenarios must pass on the first attempt`]
        : [];
    }),
    ...(flaky.length > policy.maxFlaky
      ? [`${flaky.length} flaky scenarios, more than the policy allows (maxFlaky ${policy.maxFlaky})`]
      : []),
  ];
  return { verdict: reasons.length === 0 ? 'PROMOTE' : 'BLOCK', reasons };
}
