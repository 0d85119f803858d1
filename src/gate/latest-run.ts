// A folder of results may hold many runs (reports/ keeps every run): the gate judges its latest run,
// all of that run's shards together, unless it is told to judge every run it finds.
import type { ResultStream } from './results.ts';

export interface FoundStream {
  stream: ResultStream;
  /** The run's name (shared by its shards), when the stream says it; streams without one stand alone. */
  runName: string | undefined;
  /** When the stream's run started (ms since the epoch): its testRunStarted, else the file's time. */
  startedAt: number;
}

export interface LatestRun {
  kept: ResultStream[];
  /** The runs left out, newest first, by name (or file when a stream names no run). */
  leftOut: string[];
}

const runKey = (found: FoundStream) => found.runName ?? `file ${found.stream.source}`;

export function latestRun(found: readonly FoundStream[]): LatestRun {
  const newestFirst = groupRuns(found).reverse();
  const [latest, ...older] = newestFirst;
  return { kept: latest ? latest.streams : [], leftOut: older.map((run) => run.key) };
}

/** Every run found, each with all its shards, oldest first. */
export function groupRuns(
  found: readonly FoundStream[],
): Array<{ key: string; startedAt: number; streams: ResultStream[] }> {
  const runs = new Map<string, { startedAt: number; streams: ResultStream[] }>();
  for (const entry of found) {
    const key = runKey(entry);
    const run = runs.get(key) ?? { startedAt: Number.NEGATIVE_INFINITY, streams: [] };
    run.startedAt = Math.max(run.startedAt, entry.startedAt);
    run.streams.push(entry.stream);
    runs.set(key, run);
  }
  return [...runs].map(([key, run]) => ({ key, ...run })).sort((a, b) => a.startedAt - b.startedAt);
}
