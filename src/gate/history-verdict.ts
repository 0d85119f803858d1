// The verdict of this run with the gate's memory: the rules over earlier runs applied, what the runs
// say about each scenario, and the history to keep (the earlier runs and this one).
import { withHistoryRules } from './flaky-rate.ts';
import {
  effectiveRecord,
  type HistoryReport,
  mergeRuns,
  type RunRecord,
  recordOfRun,
  runStartedAt,
  type StoredRun,
  summarizeHistory,
} from './history.ts';
import type { Policy } from './policy.ts';
import { releasableEntries } from './quarantine-release.ts';
import type { GateVerdict, ResultStream } from './results.ts';

export interface RememberedVerdict {
  verdict: GateVerdict;
  history: HistoryReport;
  /** Earlier runs and this one, oldest first, trimmed: what the next gate is given. */
  keep: RunRecord[];
  /** How many earlier runs were known. */
  earlier: number;
}

/** `now` dates a run whose messages never say when it started. */
export function judgeWithHistory(
  verdict: GateVerdict,
  streams: readonly ResultStream[],
  stored: readonly StoredRun[],
  policy: Policy,
  now: Date,
): RememberedVerdict {
  const startedAt = runStartedAt(streams) ?? now.toISOString();
  const judged = recordOfRun(verdict, startedAt);
  // reports/ keeps this run beside the earlier ones: it is never its own history.
  const others = mergeRuns(stored.filter((run) => run.record.name !== judged.name));
  const before = others
    .map(effectiveRecord)
    .filter((record) => Date.parse(record.startedAt) <= Date.parse(startedAt));
  const final = withHistoryRules(verdict, before, judged, policy);
  const current = recordOfRun(final, startedAt);
  const releasable = releasableEntries(
    final.quarantine,
    [...before, current],
    policy.quarantine.releaseAfter,
  );
  return {
    verdict: final,
    history: { ...summarizeHistory(before, current, policy.historyRuns), releasable },
    keep: mergeRuns([...others, { record: current }]).map((run) => run.record),
    earlier: before.length,
  };
}
