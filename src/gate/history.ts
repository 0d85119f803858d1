// The gate's memory: one compact record per run, and what a row of them says about each scenario
// (pass, fail and flaky counts over the last runs, when its failing streak began, what changed since
// the last PROMOTE). Pure: records in, figures out; reading and writing them is the CLI's job.
import type { Envelope } from '@cucumber/messages';
import type { BudgetCheck } from './coverage.ts';
import type { GateVerdict, ResultStream } from './results.ts';
import type { ScenarioOutcome, ScenarioStatus } from './scenarios.ts';

/** One scenario as one run left it; its identity across runs is uri + name (lines move). */
export interface ScenarioRecord {
  uri: string;
  name: string;
  status: ScenarioStatus;
  flaky: boolean;
  tags: string[];
  /** The final attempt started and never ended (the run was interrupted). */
  unfinished?: true;
}

export interface RunRecord {
  /** The run's name (shared by its shards), or a name made from its start when the messages give none. */
  name: string;
  commit?: string;
  /** ISO 8601: when the run started (its testRunStarted). */
  startedAt: string;
  /** As the gate decided it then; absent when nobody recorded it. */
  verdict?: 'PROMOTE' | 'BLOCK';
  /** The first reasons of a BLOCK, for the reader of a backtest. */
  reasons?: string[];
  scenarios: ScenarioRecord[];
  /** Each budget as the gate judged it, with the percentiles it drew: the next run shows them as "the run before". */
  budgets?: BudgetRecord[];
}

export type BudgetRecord = Omit<BudgetCheck, 'value'> & { value?: number };

/** What one scenario did in one run, as the history counts it. */
export type ScenarioResult = 'passed' | 'flaky' | 'failed' | 'skipped';

export interface ScenarioTrend {
  uri: string;
  name: string;
  /** Runs of the window the scenario was in (this run included). */
  ran: number;
  passed: number;
  failed: number;
  flaky: number;
  skipped: number;
  /** In this run. */
  result: ScenarioResult;
  /** The run its current failing streak began in (this run when it failed for the first time). */
  failingSince?: { run: string; startedAt: string; commit?: string; runs: number };
}

export interface ScenarioKey {
  uri: string;
  name: string;
}

export interface ChangeSincePromote {
  /** The last run the gate promoted before this one. */
  since: { run: string; startedAt: string; commit?: string };
  newlyFailing: ScenarioKey[];
  newlyFlaky: ScenarioKey[];
  added: ScenarioKey[];
  removed: ScenarioKey[];
}

/** A quarantine entry whose scenarios all passed cleanly lately (src/gate/quarantine-release.ts). */
export interface ReleasableEntry {
  /** As the file names it: scenario "…" or tag @… */
  entry: string;
  owner: string;
  line: number;
  /** The clean runs in a row that make it releasable (the policy's quarantine.releaseAfter). */
  cleanRuns: number;
}

export interface HistoryReport {
  /** How many runs the counts cover at most (the policy's historyRuns), this one included. */
  window: number;
  /** The runs the counts cover, oldest first, this one last. */
  runs: Array<{ name: string; startedAt: string; verdict?: 'PROMOTE' | 'BLOCK' }>;
  /** Every scenario of this run. */
  scenarios: ScenarioTrend[];
  /** Absent when no earlier run known was promoted. */
  sinceLastPromote?: ChangeSincePromote;
  /** The budgets of the latest earlier run that recorded any, to draw beside this run's. */
  budgetsBefore?: { run: string; budgets: BudgetRecord[] };
  /** Quarantine entries whose scenarios passed cleanly in each of their last runs: ready to remove. */
  releasable?: ReleasableEntry[];
}

/** A run as given to the gate: its record, and its messages when they were given too. */
export interface StoredRun {
  /** Its `verdict` is the one decided then, when something recorded it (a history file, gate.json). */
  record: RunRecord;
  streams?: ResultStream[];
  /** The verdict of its messages under today's policy, for a run whose decision nobody recorded. */
  judgedNow?: 'PROMOTE' | 'BLOCK';
}

/** The record as the history reads it: the verdict decided then, else the one judged now. */
export const effectiveRecord = (run: StoredRun): RunRecord =>
  run.record.verdict || !run.judgedNow ? run.record : { ...run.record, verdict: run.judgedNow };

/** How many runs a history file keeps: enough for long streaks, small enough to cache. */
export const HISTORY_KEEP = 100;
const MAX_REASONS = 3;

export const keyOf = (scenario: ScenarioKey) => `${scenario.uri}\u0000${scenario.name}`;

export function resultOf(scenario: Pick<ScenarioRecord, 'status' | 'flaky' | 'unfinished'>): ScenarioResult {
  if (scenario.unfinished) return 'failed';
  if (scenario.status === 'PASSED') return scenario.flaky ? 'flaky' : 'passed';
  return scenario.status === 'SKIPPED' ? 'skipped' : 'failed';
}

const SEVERITY: Readonly<Record<ScenarioResult, number>> = { skipped: 0, passed: 1, flaky: 2, failed: 3 };

/**
 * Each scenario's result in one run. The rows of a scenario outline share its name unless the name
 * holds a parameter, so one identity can stand for several outcomes: the worst one counts.
 */
export function resultsOf(record: RunRecord): Map<string, ScenarioResult> {
  const results = new Map<string, ScenarioResult>();
  for (const scenario of record.scenarios) {
    const key = keyOf(scenario);
    const result = resultOf(scenario);
    const known = results.get(key);
    if (!known || SEVERITY[result] > SEVERITY[known]) results.set(key, result);
  }
  return results;
}

/** When the run started: the earliest testRunStarted of its streams. */
export function runStartedAt(streams: readonly ResultStream[]): string | undefined {
  const starts = streams.flatMap((stream) =>
    'envelopes' in stream ? stream.envelopes.flatMap(startOf) : [],
  );
  return starts.length > 0 ? new Date(Math.min(...starts)).toISOString() : undefined;
}

function startOf(envelope: Envelope): number[] {
  const timestamp = envelope.testRunStarted?.timestamp;
  return timestamp ? [timestamp.seconds * 1000 + timestamp.nanos / 1e6] : [];
}

/** The compact record of a judged run. */
export function recordOfRun(
  verdict: Pick<GateVerdict, 'verdict' | 'reasons' | 'scenarios' | 'runs'> &
    Partial<Pick<GateVerdict, 'budgets'>>,
  startedAt: string,
): RunRecord {
  const budgets = (verdict.budgets ?? []).map(budgetRecordOf);
  const identities = verdict.runs.flatMap((run) => (run.identity ? [run.identity] : []));
  const names = [...new Set(identities.map((identity) => identity.name))];
  const commit = identities.find((identity) => identity.commit)?.commit;
  return {
    // Without a name in the messages, the start is what tells one run from another.
    name: names.join(', ') || `unnamed run started ${startedAt}`,
    ...(commit ? { commit } : {}),
    startedAt,
    verdict: verdict.verdict,
    ...(verdict.reasons.length > 0 ? { reasons: verdict.reasons.slice(0, MAX_REASONS) } : {}),
    scenarios: verdict.scenarios.map(scenarioRecordOf),
    ...(budgets.length > 0 ? { budgets } : {}),
  };
}

/** What the history keeps of a budget check: no undefined value (JSON has none), no flag of the policy's. */
function budgetRecordOf({
  figure,
  statistic,
  max,
  value,
  samples,
  ok,
  percentiles,
}: BudgetCheck): BudgetRecord {
  return {
    figure,
    statistic,
    max,
    ...(value === undefined ? {} : { value }),
    samples,
    ok,
    ...(percentiles ? { percentiles } : {}),
  };
}

function scenarioRecordOf(scenario: ScenarioOutcome): ScenarioRecord {
  return {
    uri: scenario.uri,
    name: scenario.name,
    status: scenario.status,
    flaky: scenario.flaky,
    tags: [...scenario.tags],
    ...(scenario.unfinished ? { unfinished: true as const } : {}),
  };
}

const startMs = (record: RunRecord) => Date.parse(record.startedAt);

/**
 * The runs given, each once, oldest first, the newest `keep` of them. A run given twice (a history
 * file and its messages folder) is merged: the messages for judging again, the recorded verdict
 * for what was decided then.
 */
export function mergeRuns(runs: readonly StoredRun[], keep = HISTORY_KEEP): StoredRun[] {
  const byName = new Map<string, StoredRun>();
  for (const run of runs) {
    const known = byName.get(run.record.name);
    byName.set(run.record.name, known ? mergeTwo(known, run) : run);
  }
  const ordered = [...byName.values()].sort((a, b) => startMs(a.record) - startMs(b.record));
  return ordered.slice(Math.max(0, ordered.length - keep));
}

function mergeTwo(a: StoredRun, b: StoredRun): StoredRun {
  const decided = a.record.verdict ? a.record : b.record;
  const streams = a.streams ?? b.streams;
  const judgedNow = a.judgedNow ?? b.judgedNow;
  return {
    record: {
      ...a.record,
      ...(decided.verdict ? { verdict: decided.verdict } : {}),
      ...(decided.reasons ? { reasons: decided.reasons } : {}),
    },
    ...(streams ? { streams } : {}),
    ...(judgedNow ? { judgedNow } : {}),
  };
}

/**
 * What the runs say about this run's scenarios. `earlier` are the runs before this one, oldest first;
 * the counts cover the last `window` runs, this one included, and a failing streak may reach further.
 */
export function summarizeHistory(
  earlier: readonly RunRecord[],
  current: RunRecord,
  window: number,
): HistoryReport {
  const all = [...earlier, current];
  const inWindow = all.slice(Math.max(0, all.length - window));
  const results = all.map(resultsOf);
  const windowResults = results.slice(results.length - inWindow.length);
  const latest = results.at(-1) ?? new Map<string, ScenarioResult>();
  const scenarios = uniqueScenarios(current).map((scenario) => {
    const key = keyOf(scenario);
    const trend = countsOf(windowResults, key);
    const result = latest.get(key) ?? 'skipped';
    const since = result === 'failed' ? streakStart(all, results, key) : undefined;
    return {
      uri: scenario.uri,
      name: scenario.name,
      ...trend,
      result,
      ...(since ? { failingSince: since } : {}),
    };
  });
  const change = changeSinceLastPromote(earlier, current);
  const withBudgets = earlier.findLast((record) => (record.budgets ?? []).length > 0);
  return {
    window,
    runs: inWindow.map(({ name, startedAt, verdict }) => ({
      name,
      startedAt,
      ...(verdict ? { verdict } : {}),
    })),
    scenarios,
    ...(change ? { sinceLastPromote: change } : {}),
    ...(withBudgets?.budgets
      ? { budgetsBefore: { run: withBudgets.name, budgets: withBudgets.budgets } }
      : {}),
  };
}

function uniqueScenarios(record: RunRecord): ScenarioKey[] {
  const seen = new Map<string, ScenarioKey>();
  for (const { uri, name } of record.scenarios) seen.set(keyOf({ uri, name }), { uri, name });
  return [...seen.values()];
}

function countsOf(results: ReadonlyArray<Map<string, ScenarioResult>>, key: string) {
  const counts = { ran: 0, passed: 0, failed: 0, flaky: 0, skipped: 0 };
  for (const run of results) {
    const result = run.get(key);
    if (!result) continue;
    counts.ran += 1;
    counts[result] += 1;
  }
  return counts;
}

/** Back from this run while the scenario kept failing; runs it was not part of say nothing. */
function streakStart(
  runs: readonly RunRecord[],
  results: ReadonlyArray<Map<string, ScenarioResult>>,
  key: string,
): ScenarioTrend['failingSince'] {
  let start: RunRecord | undefined;
  let length = 0;
  for (let index = runs.length - 1; index >= 0; index -= 1) {
    const result = results[index]?.get(key);
    if (result === undefined) continue;
    if (result !== 'failed') break;
    start = runs[index];
    length += 1;
  }
  if (!start) return undefined;
  return {
    run: start.name,
    startedAt: start.startedAt,
    ...(start.commit ? { commit: start.commit } : {}),
    runs: length,
  };
}

/** This run against the last promoted one before it. */
export function changeSinceLastPromote(
  earlier: readonly RunRecord[],
  current: RunRecord,
): ChangeSincePromote | undefined {
  const promoted = earlier.findLast((run) => run.verdict === 'PROMOTE');
  if (!promoted) return undefined;
  const then = resultsOf(promoted);
  const now = resultsOf(current);
  const keys = new Map([...uniqueScenarios(promoted), ...uniqueScenarios(current)].map((s) => [keyOf(s), s]));
  const where = (test: (before: ScenarioResult | undefined, after: ScenarioResult | undefined) => boolean) =>
    [...keys].flatMap(([key, scenario]) => (test(then.get(key), now.get(key)) ? [scenario] : []));
  return {
    since: {
      run: promoted.name,
      startedAt: promoted.startedAt,
      ...(promoted.commit ? { commit: promoted.commit } : {}),
    },
    newlyFailing: where((before, after) => before !== undefined && before !== 'failed' && after === 'failed'),
    newlyFlaky: where((before, after) => before !== undefined && before !== 'flaky' && after === 'flaky'),
    added: where((before, after) => before === undefined && after !== undefined),
    removed: where((before, after) => before !== undefined && after === undefined),
  };
}
