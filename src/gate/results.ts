// The verdict over the results of one run, whole or in shards: each stream is judged on its own,
// then the set is checked (one run, every shard exactly once) and the flaky cap applies to all.
// A stream that cannot be read is a reason to block, never a reason to skip it.
import type { Envelope } from '@cucumber/messages';
import { type BudgetCheck, wholeRunReasons } from './coverage.ts';
import { defaultPolicy, type Policy } from './policy.ts';
import { dayOf, isExempt, quarantineReport } from './quarantine.ts';
import { findCompromised, findRunIdentity, type RunIdentity } from './run-identity.ts';
import { startedAt } from './scenarios.ts';
import { identityDisagreements, type Tested, testedBy } from './tested.ts';
import { type Counts, emptyCounts, evaluate, quarantineCapReasons, type Verdict } from './verdict.ts';
import { judgeWire, type ViolationReport } from './wire-rules.ts';

export type ResultStream =
  | { source: string; envelopes: readonly Envelope[] }
  | { source: string; error: string };

export interface GateVerdict extends Verdict {
  /** The run each stream says it belongs to, in the order given. */
  runs: Array<{ source: string; identity: RunIdentity | undefined }>;
  /** Each budget of the policy with the figure found (whole runs only). */
  budgets: BudgetCheck[];
  /**
   * What broke in the environment during the run, as the run recorded it: not empty means the run
   * proves nothing about the product (never PROMOTE; exit 3 from `run` and `gate` alike).
   */
  compromised: string[];
  /** What the checks on the wire found, each kind once, as the policy judged it. */
  violations: ViolationReport[];
  /** What every stream agrees it tested (commit, CI run, scenarios, configuration, images); undefined when they disagree. */
  tested: Tested | undefined;
}

function sumCounts(all: readonly Counts[]): Counts {
  const total = emptyCounts();
  for (const counts of all)
    for (const key of Object.keys(total) as Array<keyof Counts>) total[key] += counts[key];
  return total;
}

const shardLabel = (identity: RunIdentity | undefined, source: string) =>
  identity?.shard ? `shard ${identity.shard.index}/${identity.shard.total}` : source;

/** One run, every shard of it exactly once, all of them having tested the same things. */
function setReasons(runs: GateVerdict['runs'], disagreements: readonly string[]): string[] {
  if (runs.length < 2 && !runs[0]?.identity?.shard) return [];
  const reasons: string[] = [];
  const unnamed = runs.filter((run) => !run.identity);
  for (const run of unnamed)
    reasons.push(
      `results ${run.source} do not say which run they belong to: they were not written by mes-e2e run`,
    );
  const names = [...new Set(runs.flatMap((run) => (run.identity ? [run.identity.name] : [])))];
  if (names.length > 1)
    reasons.push(`results from different runs: ${names.join(', ')}; give the shards of one run only`);
  const sharded = runs.filter((run) => run.identity?.shard);
  const totals = [...new Set(sharded.map((run) => run.identity?.shard?.total))];
  if (totals.length > 1) reasons.push(`shards disagree on their number: ${totals.join(' and ')}`);
  const total = totals.length === 1 ? (totals[0] ?? 0) : 0;
  if (sharded.length > 0 && sharded.length < runs.length) {
    reasons.push('some results are shards and some are whole runs: give the shards of one run only');
  }
  reasons.push(...disagreements);
  for (let index = 1; index <= total; index += 1) {
    const given = sharded.filter((run) => run.identity?.shard?.index === index);
    if (given.length === 0)
      reasons.push(`shard ${index}/${total} is missing: its results were not given (did its job fail?)`);
    if (given.length > 1)
      reasons.push(
        `shard ${index}/${total} is given ${given.length} times (${given.map((run) => run.source).join(', ')})`,
      );
  }
  return reasons;
}

/** The day the run began: its earliest shard's start, so every shard judges expiry on the same day. */
function firstDay(streams: readonly ResultStream[]): string | undefined {
  const days = streams.flatMap((stream) => {
    const day = 'envelopes' in stream ? dayOf(startedAt(stream.envelopes)) : undefined;
    return day ? [day] : [];
  });
  return days.toSorted()[0];
}

/**
 * `wholeRun: false` judges what one shard can show by itself (its own run reports it): the check
 * that every shard is present belongs to the gate over all of them.
 */
export function evaluateResults(
  streams: readonly ResultStream[],
  policy: Policy = defaultPolicy,
  options: { wholeRun: boolean } = { wholeRun: true },
): GateVerdict {
  const several = streams.length > 1;
  // The flaky and quarantine caps count the whole run, so each stream is judged without them.
  const perStream = {
    ...policy,
    maxFlaky: Number.POSITIVE_INFINITY,
    quarantine: { ...policy.quarantine, max: Number.POSITIVE_INFINITY },
  };
  const day = firstDay(streams);
  const judged = streams.map((stream) => {
    if ('error' in stream)
      return {
        source: stream.source,
        identity: undefined,
        verdict: undefined,
        compromised: [],
        violations: [],
        error: stream.error,
      };
    const identity = findRunIdentity(stream.envelopes);
    const verdict = evaluate(stream.envelopes, perStream, { day });
    // A run whose environment broke proves nothing about the product, whatever its scenarios say.
    const compromised = findCompromised(stream.envelopes);
    const wire = judgeWire(stream.envelopes, policy);
    const reasons = [
      ...compromised.map((problem) => `environment compromised: ${problem}`),
      ...verdict.reasons,
      ...wire.reasons,
    ];
    return {
      source: stream.source,
      identity,
      verdict: { ...verdict, verdict: reasons.length > 0 ? 'BLOCK' : verdict.verdict, reasons },
      compromised,
      violations: wire.violations,
      error: undefined,
    };
  });
  const runs = judged.map(({ source, identity }) => ({ source, identity }));
  const identities = runs.flatMap(({ identity }) => (identity ? [identity] : []));
  const disagreements = identityDisagreements(
    runs.flatMap(({ identity, source }) =>
      identity ? [{ label: shardLabel(identity, source), identity }] : [],
    ),
  );
  const verdicts = judged.flatMap((entry) => (entry.verdict ? [entry.verdict] : []));
  const scenarios = verdicts.flatMap((verdict) => verdict.scenarios);
  const flaky = scenarios.filter((scenario) => scenario.flaky && !isExempt(scenario));
  const readable = streams.flatMap((stream) => ('envelopes' in stream ? [stream.envelopes] : []));
  // Rules over the whole run need every shard: a single shard's run leaves them to the gate.
  const whole = options.wholeRun
    ? wholeRunReasons(readable, scenarios, policy)
    : { reasons: [], budgets: [] as BudgetCheck[] };
  const reasons = [
    ...(streams.length === 0 ? ['no results were given'] : []),
    ...judged.flatMap((entry) => (entry.error ? [`results ${entry.source}: ${entry.error}`] : [])),
    ...(options.wholeRun ? setReasons(runs, disagreements) : []),
    ...judged.flatMap(({ verdict, identity, source }) =>
      (verdict?.reasons ?? []).map((reason) =>
        several ? `[${shardLabel(identity, source)}] ${reason}` : reason,
      ),
    ),
    ...(flaky.length > policy.maxFlaky
      ? [`${flaky.length} flaky scenarios, more than the ${policy.maxFlaky} the policy allows`]
      : []),
    ...quarantineCapReasons(scenarios, policy),
    ...whole.reasons,
  ];
  const first = verdicts[0];
  return {
    tested:
      disagreements.length === 0 && identities.length === runs.length ? testedBy(identities) : undefined,
    verdict: reasons.length === 0 ? 'PROMOTE' : 'BLOCK',
    reasons,
    counts: sumCounts(verdicts.map((verdict) => verdict.counts)),
    scenarios,
    run: first?.run ?? {
      pickles: 0,
      testRunStarted: false,
      testRunFinished: false,
      failedHooks: [],
      undefinedParameterTypes: [],
      parseErrors: [],
    },
    runs,
    quarantine: quarantineReport(scenarios, policy, day),
    budgets: whole.budgets,
    violations: judged.flatMap((entry) => entry.violations),
    compromised: judged.flatMap((entry) =>
      entry.compromised.map((problem) =>
        several ? `[${shardLabel(entry.identity, entry.source)}] ${problem}` : problem,
      ),
    ),
  };
}
