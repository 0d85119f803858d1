// Which scenarios the quarantine file exempts, judged on the run's own start day, and what became of
// each entry in this run (the per-entry results a "ready to release" report over run history reads).
import type { Policy, QuarantineEntry } from './policy.ts';
import type { ScenarioOutcome, ScenarioStatus } from './scenarios.ts';

/** How the quarantine bears on one scenario; a scenario no entry or tag touches has none. */
export type QuarantineStanding =
  /** Exempt: an entry matches it and holds on the run's day. */
  | { readonly kind: 'quarantined'; readonly entry: QuarantineEntry }
  /** Every entry that matches it had expired by the run's day: it counts like any scenario. */
  | { readonly kind: 'expired'; readonly entry: QuarantineEntry }
  /** An entry holds, but the scenario has a required tag and the policy does not allow quarantining those. */
  | { readonly kind: 'critical'; readonly entry: QuarantineEntry; readonly tag: string }
  /** Tagged with the old quarantine tag, and no entry matches it: it counts like any scenario. */
  | { readonly kind: 'bare-tag'; readonly tag: string };

export type JudgedScenario = ScenarioOutcome & { readonly quarantine?: QuarantineStanding };

/** What one entry matched in this run, and how those scenarios did. */
export type QuarantineEntryResult = {
  readonly entry: QuarantineEntry;
  /** active: it holds on the run's day; expired: the run started after its last day (or had no start). */
  readonly state: 'active' | 'expired';
  readonly scenarios: ReadonlyArray<{
    readonly name: string;
    readonly uri: string;
    readonly line: number;
    readonly status: ScenarioStatus;
    /** The final attempt passed and finished; with `flaky` false it passed on its first attempt. */
    readonly passed: boolean;
    readonly flaky: boolean;
    /** Whether this entry kept it from blocking (not when expired, or a required tag it may not cover). */
    readonly exempt: boolean;
  }>;
};

export type QuarantineReport = {
  readonly file: string | undefined;
  /** The run's start day (UTC) every expiry was judged against. */
  readonly judgedOn: string | undefined;
  readonly max: number;
  readonly allowCritical: boolean;
  readonly entries: readonly QuarantineEntryResult[];
};

/** The UTC day a run started, from its testRunStarted timestamp (ISO). */
export const dayOf = (startedAt: string | undefined): string | undefined => startedAt?.slice(0, 10);

/** What quarantine looks at in a scenario: its name and tags, never its result. */
type Named = Pick<ScenarioOutcome, 'name' | 'tags'>;

function matches(entry: QuarantineEntry, scenario: Named): boolean {
  return entry.scenario !== undefined ? scenario.name === entry.scenario : scenario.tags.includes(entry.tag);
}

/**
 * The run's own day is the clock, never the wall clock: judging an old run again gives the same
 * answer. A run without a start time cannot show that an entry still held, so none does.
 */
const holdsOn = (entry: QuarantineEntry, day: string | undefined): boolean =>
  day !== undefined && day <= entry.expires;

export function standingOf(
  scenario: Named,
  policy: Policy,
  day: string | undefined,
): QuarantineStanding | undefined {
  const matched = policy.quarantine.entries.filter((entry) => matches(entry, scenario));
  const holding = matched.find((entry) => holdsOn(entry, day));
  if (holding) {
    const required = policy.requiredTags.find((tag) => scenario.tags.includes(tag));
    if (required && !policy.quarantine.allowCritical)
      return { kind: 'critical', entry: holding, tag: required };
    return { kind: 'quarantined', entry: holding };
  }
  // The entry that ran out last is the one the owner would renew.
  const expired = matched.toSorted((a, b) => b.expires.localeCompare(a.expires))[0];
  if (expired) return { kind: 'expired', entry: expired };
  if (scenario.tags.includes(policy.quarantineTag)) return { kind: 'bare-tag', tag: policy.quarantineTag };
  return undefined;
}

export const isExempt = (scenario: JudgedScenario): boolean => scenario.quarantine?.kind === 'quarantined';

/** The entry as a reader finds it: where it is, whose, why, the link and its last day. */
function describeEntry(entry: QuarantineEntry, file: string): string {
  const what = entry.scenario !== undefined ? `scenario "${entry.scenario}"` : `tag ${entry.tag}`;
  const link = entry.link ? `, ${entry.link}` : '';
  return `the quarantine entry for ${what} (${file}:${entry.line}; owner ${entry.owner}, reason "${entry.reason}"${link}, expires ${entry.expires})`;
}

/** Why a scenario that blocks was not kept from blocking by the quarantine, and what to do; '' if nothing to say. */
export function quarantineNote(
  scenario: JudgedScenario,
  quarantine: Pick<QuarantineReport, 'file' | 'judgedOn'>,
): string {
  const standing = scenario.quarantine;
  const { file = 'quarantine.yml', judgedOn: day } = quarantine;
  switch (standing?.kind) {
    case 'expired':
      return (
        `; it is no longer quarantined: ${describeEntry(standing.entry, file)} expired before this run ` +
        `(started ${day ?? 'at no recorded time'}): fix the scenario, or have ${standing.entry.owner} renew the entry with a new date`
      );
    case 'critical':
      return (
        `; ${describeEntry(standing.entry, file)} matches it, but it is ${standing.tag}, and a scenario with a ` +
        'required tag is quarantined only where the policy says quarantine.allowCritical: true'
      );
    case 'bare-tag':
      return (
        `; it is tagged ${standing.tag}, which no longer quarantines by itself: add an entry for it to ${file} ` +
        'with owner, reason and expires (YYYY-MM-DD), or fix it'
      );
    default:
      return '';
  }
}

const passedOf = (scenario: ScenarioOutcome) =>
  scenario.status === 'PASSED' && !scenario.unfinished && scenario.attempts > 0;

/** Every entry, whether it holds on the run's day, and each scenario it matched with its result. */
export function quarantineReport(
  scenarios: readonly JudgedScenario[],
  policy: Policy,
  day: string | undefined,
): QuarantineReport {
  const entries = policy.quarantine.entries.map((entry) => ({
    entry,
    state: holdsOn(entry, day) ? ('active' as const) : ('expired' as const),
    scenarios: scenarios
      .filter((scenario) => matches(entry, scenario))
      .map((scenario) => ({
        name: scenario.name,
        uri: scenario.uri,
        line: scenario.line,
        status: scenario.status,
        passed: passedOf(scenario),
        flaky: scenario.flaky,
        exempt: scenario.quarantine?.kind === 'quarantined' && scenario.quarantine.entry.line === entry.line,
      })),
  }));
  const { file, max, allowCritical } = policy.quarantine;
  return { file, judgedOn: day, max, allowCritical, entries };
}
