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
  /** Scenarios with this tag run and are reported, but never block. */
  readonly quarantineTag: string;
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

export type Budget = {
  /** The figure's name, e.g. created_to_priced_ms.b2c */
  readonly figure: string;
  readonly statistic: Statistic;
  /** The statistic must not exceed this. */
  readonly max: number;
};

/**
 * Every failure blocks except a quarantined one; flakiness blocks only where a required tag
 * asks for it. Flaky scenarios elsewhere are still counted and reported, and a team that wants
 * a cap sets maxFlaky.
 */
export const defaultPolicy: Policy = Object.freeze({
  requiredTags: Object.freeze(['@critical']),
  quarantineTag: '@quarantine',
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
