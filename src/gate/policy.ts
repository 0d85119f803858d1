// What a run must show before it may be promoted, and the safe rules that apply when nobody says otherwise.
import type { ContractRule } from '../contracts/violations.ts';
import type { Statistic } from './figures.ts';

/**
 * Open for later rules (performance budgets, features that must run, tags never to skip):
 * each arrives as a new field with a default that keeps today's verdicts.
 */
export type Policy = {
  /** A scenario carrying any of these must pass on its first attempt: a failure or a flaky pass blocks. */
  readonly requiredTags: readonly string[];
  /**
   * The tag that used to quarantine by itself. It no longer exempts anything: a scenario carrying it
   * without a quarantine entry blocks like any other, and the reason says to add an entry.
   */
  readonly quarantineTag: string;
  /** Scenarios that run and are reported but do not block, each with an owner and an end. */
  readonly quarantine: QuarantinePolicy;
  /** How many scenarios may pass only on a retry before the run blocks; Infinity means no cap. */
  readonly maxFlaky: number;
  /** Fewer executed scenarios than this (quarantined ones aside) proves nothing, so it blocks. */
  readonly minScenarios: number;
  /** A scenario with any of these tags that the run's suite holds but did not run (filtered out, left out) blocks. */
  readonly neverSkip: readonly string[];
  /** Feature files (as the messages name them) that must have had at least one scenario run. */
  readonly mustRun: readonly string[];
  /** Limits on figures the scenarios record; a budget with no figure recorded blocks. */
  readonly budgets: readonly Budget[];
  /** What a broken contract on the wire or a broken rule over the run does: block, or only report. */
  readonly contracts: 'block' | 'report';
  /** The checks on the wire and the rules over the run, each on unless switched off here. */
  readonly rules: Readonly<Record<ContractRule, boolean>>;
  /** How many runs, this one included, the history's per-scenario counts cover. */
  readonly historyRuns: number;
  /** Blocks a scenario flaky in too many of the last runs (needs the gate's history); off when absent. */
  readonly flakyRate?: FlakyRate | undefined;
};

export type FlakyRate = {
  /** The share of runs, 0..1: a scenario flaky in more than max × runs of the last `runs` runs blocks. */
  readonly max: number;
  /** How many runs, this one included, the rate looks at. */
  readonly runs: number;
};

export type QuarantinePolicy = {
  /** The quarantine file the entries were read from (absolute); undefined: there was none. */
  readonly file: string | undefined;
  readonly entries: readonly QuarantineEntry[];
  /** How many scenarios may be quarantined at once; more blocks the run. */
  readonly max: number;
  /** Whether a scenario with a required tag (@critical) may be quarantined at all. */
  readonly allowCritical: boolean;
  /** Clean runs in a row (first attempt, with history) after which an entry is reported ready to remove. */
  readonly releaseAfter: number;
};

/** One entry of the quarantine file: what it matches, whose it is, why, and until when. */
export type QuarantineEntry = (
  | { readonly scenario: string; readonly tag?: never }
  | {
      readonly tag: string;
      readonly scenario?: never;
    }
) & {
  readonly owner: string;
  readonly reason: string;
  readonly link?: string;
  /** YYYY-MM-DD: the last day (UTC) on which the entry holds, judged by the run's start date. */
  readonly expires: string;
  /** Where the entry starts in the file, for every message about it. */
  readonly line: number;
};

export type Budget = {
  /** The figure's name, e.g. created_to_priced_ms.b2c */
  readonly figure: string;
  readonly statistic: Statistic;
  /** The statistic must not exceed this. */
  readonly max: number;
  /**
   * True: a run in which no scenario recorded the figure (a few scenarios picked by tag) is not held
   * to it. False (the default): a missing figure blocks, the budget not being shown to hold.
   */
  readonly ifRecorded?: boolean;
};

/**
 * Every failure blocks except one quarantined by an entry that has not expired; flakiness blocks only where a required tag
 * asks for it. Flaky scenarios elsewhere are still counted and reported, and a team that wants
 * a cap sets maxFlaky.
 */
export const defaultPolicy: Policy = Object.freeze({
  requiredTags: Object.freeze(['@critical']),
  quarantineTag: '@quarantine',
  // Five: a quarantine is debt with a name on it. A handful at once is a team paying it off; more
  // means the suite no longer guards the release, and the block forces that conversation.
  quarantine: Object.freeze({
    file: undefined,
    entries: Object.freeze([]),
    max: 5,
    allowCritical: false,
    releaseAfter: 5,
  }),
  maxFlaky: Number.POSITIVE_INFINITY,
  minScenarios: 1,
  neverSkip: Object.freeze([]),
  mustRun: Object.freeze([]),
  budgets: Object.freeze([]),
  contracts: 'block',
  rules: Object.freeze({
    'message-contract': true,
    'answer-contract': true,
    'unexpected-dead-letter': true,
    'duplicate-publish': true,
    'orphan-order': true,
    'queues-drained': true,
  }),
  historyRuns: 10,
});
