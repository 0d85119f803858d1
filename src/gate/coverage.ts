// The policy's rules over the whole run (all shards together): scenarios that may never be
// skipped, features that must have run, and the performance budgets on recorded figures.
import type { Envelope, Pickle } from '@cucumber/messages';
import { collectFigures, type Percentiles, percentilesOf, statistic } from './figures.ts';
import type { Policy } from './policy.ts';
import type { ScenarioOutcome } from './scenarios.ts';

export interface BudgetCheck {
  figure: string;
  statistic: string;
  max: number;
  /** Undefined when no scenario recorded the figure. */
  value: number | undefined;
  samples: number;
  ok: boolean;
  /** The samples' percentiles, for the budget's picture; absent when none was recorded. */
  percentiles?: Percentiles;
}

const picklesOf = (streams: ReadonlyArray<readonly Envelope[]>): Pickle[] =>
  streams.flatMap((envelopes) => envelopes.flatMap((envelope) => (envelope.pickle ? [envelope.pickle] : [])));

/** A scenario by place, the same in every shard (pickle ids differ from one process to the next). */
const placeOf = (uri: string, line: number | undefined, name: string) => `${uri}:${line ?? '?'} ${name}`;

/** Scenarios of the suite that never ran, though their tags say they may not be skipped. */
function skippedReasons(
  streams: ReadonlyArray<readonly Envelope[]>,
  scenarios: readonly ScenarioOutcome[],
  policy: Policy,
): string[] {
  if (policy.neverSkip.length === 0) return [];
  const ran = new Set(scenarios.filter((s) => s.attempts > 0).map((s) => placeOf(s.uri, s.line, s.name)));
  const skipped = new Map<string, string>();
  for (const pickle of picklesOf(streams)) {
    const tag = pickle.tags.find((t) => policy.neverSkip.includes(t.name))?.name;
    const place = placeOf(pickle.uri, pickle.location?.line, pickle.name);
    if (tag && !ran.has(place)) {
      skipped.set(
        place,
        `scenario "${pickle.name}" (${pickle.uri}:${pickle.location?.line ?? '?'}) is tagged ${tag}, which may never be skipped, and did not run`,
      );
    }
  }
  return [...skipped.values()];
}

function mustRunReasons(ran: readonly ScenarioOutcome[], policy: Policy): string[] {
  return policy.mustRun
    .filter((feature) => !ran.some((scenario) => scenario.uri === feature && scenario.attempts > 0))
    .map((feature) => `feature ${feature} must run, and none of its scenarios ran`);
}

export function checkBudgets(streams: ReadonlyArray<readonly Envelope[]>, policy: Policy): BudgetCheck[] {
  const figures = collectFigures(streams);
  return policy.budgets.map((budget) => {
    const samples = figures[budget.figure] ?? [];
    const value = samples.length > 0 ? statistic(samples, budget.statistic) : undefined;
    const ok = value === undefined ? budget.ifRecorded === true : value <= budget.max;
    const percentiles = samples.length > 0 ? { percentiles: percentilesOf(samples) } : {};
    return { ...budget, value, samples: samples.length, ok, ...percentiles };
  });
}

const budgetReason = (check: BudgetCheck) =>
  check.value === undefined
    ? `budget ${check.figure} ${check.statistic} <= ${check.max}: no scenario recorded the figure, so the budget is not shown to hold`
    : `${check.figure} ${check.statistic} is ${Math.round(check.value * 10) / 10}, over the budget of ${check.max} (${check.samples} samples)`;

/** Reasons to block from the rules that look at the run as a whole. */
export function wholeRunReasons(
  streams: ReadonlyArray<readonly Envelope[]>,
  scenarios: readonly ScenarioOutcome[],
  policy: Policy,
): { reasons: string[]; budgets: BudgetCheck[] } {
  const budgets = checkBudgets(streams, policy);
  return {
    reasons: [
      ...skippedReasons(streams, scenarios, policy),
      ...mustRunReasons(scenarios, policy),
      ...budgets.filter((check) => !check.ok).map(budgetReason),
    ],
    budgets,
  };
}
