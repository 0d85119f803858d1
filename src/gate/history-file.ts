// The history file the gate keeps beside gate.json (history.json): its format, and how a text becomes
// run records or a clear refusal. Pure: the CLI reads and writes the file.
import { z } from 'zod';
import { MesE2eError } from '../errors.ts';
import { HISTORY_KEEP, type RunRecord } from './history.ts';

export const HISTORY_FORMAT = 'mes-e2e-history/1';

const Status = z.enum(['UNKNOWN', 'PASSED', 'SKIPPED', 'PENDING', 'UNDEFINED', 'AMBIGUOUS', 'FAILED']);

const ScenarioRecordSchema = z.object({
  uri: z.string(),
  name: z.string(),
  status: Status,
  flaky: z.boolean(),
  tags: z.array(z.string()),
  unfinished: z.literal(true).optional(),
});

/** A budget as the gate judged it; gate.json gives the same, with null for a value not recorded. */
export const BudgetRecordSchema = z.object({
  figure: z.string(),
  statistic: z.string(),
  max: z.number(),
  value: z.number().optional(),
  samples: z.number(),
  ok: z.boolean(),
  percentiles: z
    .object({
      p50: z.number(),
      p90: z.number(),
      p95: z.number(),
      p99: z.number(),
      max: z.number(),
      mean: z.number(),
    })
    .optional(),
});

const RunRecordSchema = z.object({
  name: z.string().min(1),
  commit: z.string().optional(),
  startedAt: z.iso.datetime(),
  verdict: z.enum(['PROMOTE', 'BLOCK']).optional(),
  reasons: z.array(z.string()).optional(),
  scenarios: z.array(ScenarioRecordSchema),
  budgets: z.array(BudgetRecordSchema).optional(),
});

const HistoryFileSchema = z.object({
  format: z.literal(HISTORY_FORMAT),
  runs: z.array(RunRecordSchema),
});

/** A history file that cannot be used: a usage error (exit 2) that names the file. */
export class HistoryFileError extends MesE2eError {
  readonly file: string;
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(
      'usage',
      `cannot read the history file ${file}: ${problem}`,
      `Give a history.json that mes-e2e gate wrote (format "${HISTORY_FORMAT}"), or leave it out: the gate then starts a new history.`,
      options,
    );
    this.name = 'HistoryFileError';
    this.file = file;
  }
}

/** `source` names the file in errors. Runs come back as the file holds them (oldest first). */
export function parseHistoryFile(text: string, source: string): RunRecord[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new HistoryFileError(source, `it is not JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = HistoryFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new HistoryFileError(source, `it is not a mes-e2e history${where}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data.runs as RunRecord[];
}

/** The file's text: oldest run first, at most `keep` runs, one run a line (diffs and greps stay readable). */
export function historyFileText(runs: readonly RunRecord[], keep = HISTORY_KEEP): string {
  const kept = runs.slice(Math.max(0, runs.length - keep));
  const lines = kept.map((run) => JSON.stringify(run)).join(',\n');
  return `{"format":${JSON.stringify(HISTORY_FORMAT)},"runs":[\n${lines}\n]}\n`;
}
