// Decides PROMOTE or BLOCK from a run's messages and a policy, and gives every reason for a BLOCK.
import type { Envelope } from '@cucumber/messages';
import { defaultPolicy, type Policy } from './policy.ts';
import {
  dayOf,
  isExempt,
  type JudgedScenario,
  type QuarantineReport,
  quarantineNote,
  quarantineReport,
  standingOf,
} from './quarantine.ts';
import { type RunFacts, type ScenarioOutcome, summarizeRun } from './scenarios.ts';

/**
 * Each scenario lands in exactly one of quarantined, unfinished, notStarted or its final status;
 * `flaky` cuts across them (a flaky scenario is also counted as passed or quarantined).
 */
export type Counts = {
  scenarios: number;
  passed: number;
  failed: number;
  flaky: number;
  skipped: number;
  undefined: number;
  pending: number;
  ambiguous: number;
  quarantined: number;
  unfinished: number;
  /** Scheduled but never started, or started and no step reported a result. */
  unknown: number;
};

export type Verdict = {
  verdict: 'PROMOTE' | 'BLOCK';
  reasons: string[];
  counts: Counts;
  /** Each scenario with how the quarantine bears on it. */
  scenarios: JudgedScenario[];
  run: RunFacts;
  /** Every quarantine entry, whether it held on the run's day, and what it matched. */
  quarantine: QuarantineReport;
};

export type EvaluateOptions = {
  /**
   * The day (YYYY-MM-DD, UTC) quarantine expiry is judged on; the stream's own start day otherwise.
   * The shards of one run share the first shard's day, so an entry cannot hold in one and not another.
   */
  day?: string | undefined;
};

const MAX_LISTED = 10;
const MAX_MESSAGE = 300;

export function evaluate(
  envelopes: readonly Envelope[],
  policy: Policy = defaultPolicy,
  options: EvaluateOptions = {},
): Verdict {
  const summary = summarizeRun(envelopes);
  const { run } = summary;
  const day = options.day ?? dayOf(run.startedAt);
  const scenarios = judged(summary.scenarios, policy, day);
  const gated = scenarios.filter((scenario) => !isExempt(scenario));
  const reasons = [
    ...runReasons(run),
    ...coverageReasons(scenarios, gated, run, policy),
    ...gated.flatMap((scenario) => scenarioReasons(scenario, policy, day)),
    ...notStartedReasons(gated),
    ...notRunReasons(gated),
    ...flakyCapReasons(gated, policy),
    ...quarantineCapReasons(scenarios, policy),
  ];
  if (reasons.length === 0) reasons.push(...unexplainedFailure(scenarios, run));
  return {
    verdict: reasons.length === 0 ? 'PROMOTE' : 'BLOCK',
    reasons,
    counts: countsOf(scenarios),
    scenarios,
    run,
    quarantine: quarantineReport(scenarios, policy, day),
  };
}

function judged(
  scenarios: readonly ScenarioOutcome[],
  policy: Policy,
  day: string | undefined,
): JudgedScenario[] {
  return scenarios.map((scenario) => {
    const quarantine = standingOf(scenario, policy, day);
    return quarantine ? { ...scenario, quarantine } : scenario;
  });
}

function runReasons(run: RunFacts): string[] {
  const reasons: string[] = [];
  if (!run.testRunStarted) {
    reasons.push(
      'the run never started (no testRunStarted message): cucumber stopped before running anything; its output says why',
    );
  } else if (!run.testRunFinished) {
    reasons.push(
      'the run did not finish (no testRunFinished message): it was interrupted, or the messages file is truncated; run the scenarios again',
    );
  }
  if (run.exception) reasons.push(`the run itself failed: ${oneLine(run.exception)}`);
  reasons.push(...run.failedHooks.map(oneLine));
  reasons.push(
    ...run.parseErrors.map(
      (error) => `a feature file could not be parsed, so its scenarios never ran: ${oneLine(error)}`,
    ),
  );
  reasons.push(
    ...run.undefinedParameterTypes.map(
      (type) =>
        `undefined parameter type ${type}: define it with defineParameterType or fix the step definition`,
    ),
  );
  return reasons;
}

/** A run that executed nothing proves nothing, however green it looks. */
function coverageReasons(
  scenarios: readonly ScenarioOutcome[],
  gated: readonly ScenarioOutcome[],
  run: RunFacts,
  policy: Policy,
): string[] {
  const executed = gated.filter((scenario) => scenario.attempts > 0).length;
  if (executed >= policy.minScenarios) return [];
  if (scenarios.length === 0) return [noneScheduled(run)];
  if (gated.length === 0) {
    return [
      `no scenario that counts ran: every scenario that ran is quarantined (${policy.quarantine.file ?? 'quarantine.yml'})`,
    ];
  }
  if (executed === 0)
    return [
      `no scenario ran: ${plural(gated.length, 'scenario was', 'scenarios were')} scheduled but none started`,
    ];
  return [
    `only ${plural(executed, 'scenario', 'scenarios')} ran; the policy requires at least ${policy.minScenarios}`,
  ];
}

function noneScheduled(run: RunFacts): string {
  if (run.pickles === 0)
    return 'no scenario ran: the run found no scenarios (no feature file matched, or they are empty)';
  const found = plural(run.pickles, 'scenario was', 'scenarios were');
  if (run.failedHooks.length > 0 || run.exception) {
    return `no scenario ran: ${found} found, but the run failed before any of them started`;
  }
  return `no scenario ran: ${found} found but none was selected; check the tag expression (did it match nothing?) and the paths`;
}

function scenarioReasons(scenario: JudgedScenario, policy: Policy, day: string | undefined): string[] {
  const reason = scenarioReason(scenario, policy);
  return reason ? [reason + quarantineNote(scenario, { file: policy.quarantine.file, judgedOn: day })] : [];
}

function scenarioReason(scenario: ScenarioOutcome, policy: Policy): string | undefined {
  if (scenario.attempts === 0) return undefined;
  if (scenario.unfinished) {
    return `${label(scenario)} did not finish: attempt ${scenario.attempts} started and never ended (the run was interrupted)`;
  }
  if (scenario.status !== 'PASSED') {
    const retried = scenario.attempts > 1 ? ` after ${scenario.attempts} attempts` : '';
    return `${label(scenario)} ${scenario.status}${retried}: ${explanation(scenario)}`;
  }
  const required = policy.requiredTags.find((tag) => scenario.tags.includes(tag));
  if (scenario.flaky && required) {
    return (
      `${label(scenario)} is flaky: it passed only on attempt ${scenario.attempts}, and ${required} scenarios must pass on the first; ` +
      `the earlier attempt: ${explanation(scenario)}`
    );
  }
  return undefined;
}

/** One reason, not one per scenario: an interrupted run can leave hundreds unstarted. */
function notStartedReasons(gated: readonly ScenarioOutcome[]): string[] {
  const notStarted = gated.filter((scenario) => scenario.attempts === 0 && scenario.notRun === undefined);
  if (notStarted.length === 0) return [];
  return [
    `${plural(notStarted.length, 'scheduled scenario', 'scheduled scenarios')} never started (the run stopped before them): ${listed(notStarted)}`,
  ];
}

/** One reason per cause (the run stopped early after its failures): the failures are the news, not these. */
function notRunReasons(gated: readonly ScenarioOutcome[]): string[] {
  const byReason = Map.groupBy(
    gated.filter((scenario) => scenario.notRun !== undefined),
    (scenario) => scenario.notRun as string,
  );
  return [...byReason].map(
    ([reason, scenarios]) =>
      `${plural(scenarios.length, 'scenario', 'scenarios')} did not run: ${reason}: ${listed(scenarios)}`,
  );
}

function flakyCapReasons(gated: readonly ScenarioOutcome[], policy: Policy): string[] {
  const flaky = gated.filter((scenario) => scenario.flaky);
  if (flaky.length <= policy.maxFlaky) return [];
  return [
    `${plural(flaky.length, 'scenario', 'scenarios')} passed only on a retry (flaky), more than the policy allows (maxFlaky ${policy.maxFlaky}): ${listed(flaky)}`,
  ];
}

/** A quarantine is debt with a name on it; past the policy's cap the suite no longer guards the release. */
export function quarantineCapReasons(scenarios: readonly JudgedScenario[], policy: Policy): string[] {
  const quarantined = scenarios.filter(isExempt);
  if (quarantined.length <= policy.quarantine.max) return [];
  return [
    `${plural(quarantined.length, 'scenario is', 'scenarios are')} quarantined, more than the policy allows ` +
      `(quarantine.max ${policy.quarantine.max}): ${listed(quarantined)}; fix some and remove their entries, or raise quarantine.max`,
  ];
}

/**
 * cucumber's `success` is not trusted to promote (it is true for flaky runs), but a `false`
 * that nothing else explains still means something went wrong that the gate cannot see.
 */
function unexplainedFailure(scenarios: readonly JudgedScenario[], run: RunFacts): string[] {
  const quarantinedFailure = scenarios.some(
    (scenario) => isExempt(scenario) && (scenario.status !== 'PASSED' || scenario.unfinished),
  );
  if (run.success !== false || quarantinedFailure) return [];
  return ['cucumber reported the run as failed (testRunFinished.success is false) and no message says why'];
}

/** Every count at zero: the start of a tally. */
export const emptyCounts = (): Counts => ({
  scenarios: 0,
  passed: 0,
  failed: 0,
  flaky: 0,
  skipped: 0,
  undefined: 0,
  pending: 0,
  ambiguous: 0,
  quarantined: 0,
  unfinished: 0,
  unknown: 0,
});

function countsOf(scenarios: readonly JudgedScenario[]): Counts {
  const counts: Counts = { ...emptyCounts(), scenarios: scenarios.length };
  for (const scenario of scenarios) {
    counts[bucketOf(scenario)]++;
    if (scenario.flaky) counts.flaky++;
  }
  return counts;
}

function bucketOf(scenario: JudgedScenario): Exclude<keyof Counts, 'scenarios' | 'flaky'> {
  if (isExempt(scenario)) return 'quarantined';
  if (scenario.unfinished) return 'unfinished';
  if (scenario.status === 'UNKNOWN') return 'unknown';
  return scenario.status.toLowerCase() as Lowercase<Exclude<ScenarioOutcome['status'], 'UNKNOWN'>>;
}

function label(scenario: ScenarioOutcome): string {
  const name = scenario.name ? ` "${scenario.name}"` : '';
  return `scenario${name} (${scenario.uri}:${scenario.line})`;
}

function explanation(scenario: ScenarioOutcome): string {
  const message = oneLine(scenario.message ?? 'no message');
  return scenario.step ? `${message} (at ${scenario.step})` : message;
}

function listed(scenarios: readonly ScenarioOutcome[]): string {
  const shown = scenarios.slice(0, MAX_LISTED).map((scenario) => label(scenario).replace(/^scenario /, ''));
  const more = scenarios.length - shown.length;
  return `${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** Reasons are read in CI logs and annotations: one line each, of a readable length. */
function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_MESSAGE ? `${flat.slice(0, MAX_MESSAGE - 1)}…` : flat;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}
