// The earlier runs the gate is given (--history, --backtest): history files the gate wrote, and folders
// or messages files of runs. Every run found becomes one stored run; a path that cannot be used is a
// usage error that names it, since a history quietly missing would change the verdict.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MesE2eError } from '../../errors.ts';
import { recordOfRun, runStartedAt, type StoredRun } from '../../gate/history.ts';
import { HistoryFileError, parseHistoryFile } from '../../gate/history-file.ts';
import { groupRuns } from '../../gate/latest-run.ts';
import type { Policy } from '../../gate/policy.ts';
import { evaluateResults, type ResultStream } from '../../gate/results.ts';
import { messagesFilesUnder, readStream } from './results-files.ts';

/** Every run the paths hold, in the order found (mergeRuns orders them). */
export function readEarlierRuns(cwd: string, paths: readonly string[], policy: Policy): StoredRun[] {
  return paths.flatMap((given) => {
    const path = resolve(cwd, given);
    if (!existsSync(path))
      throw new MesE2eError(
        'usage',
        `no history at ${path}: no such file or folder`,
        'Give a history.json that mes-e2e gate wrote, or folders of earlier runs (reports/, downloaded artifacts).',
      );
    if (statSync(path).isDirectory()) return runsInFolder(path, policy);
    if (path.endsWith('.ndjson')) {
      const found = readStream(path);
      return [storedRun([found.stream], found.startedAt, policy)];
    }
    return readHistoryFile(path).map((record) => ({ record }));
  });
}

function readHistoryFile(path: string) {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new HistoryFileError(path, (error as Error).message, { cause: error });
  }
  return parseHistoryFile(text, path);
}

function runsInFolder(path: string, policy: Policy): StoredRun[] {
  const files = messagesFilesUnder(path);
  if (files.length === 0)
    throw new MesE2eError(
      'usage',
      `no earlier runs under ${path}: it holds no messages.ndjson`,
      'Give the folder runs write (reports/), a downloaded artifact of one, or a history.json.',
    );
  return groupRuns(files.map(readStream)).map((run) => storedRun(run.streams, run.startedAt, policy));
}

/** One run from its messages: judged again now, and decided then when its gate.json says so. */
function storedRun(streams: ResultStream[], foundAt: number, policy: Policy): StoredRun {
  const judged = evaluateResults(streams, policy);
  // A run whose messages cannot be read has no testRunStarted: its file's time stands in.
  const startedAt = runStartedAt(streams) ?? new Date(foundAt).toISOString();
  const { verdict, reasons, ...record } = recordOfRun(judged, startedAt);
  const decided = streams.length === 1 ? decidedThen(streams[0]?.source ?? '') : undefined;
  return {
    record: { ...record, ...decided },
    streams,
    judgedNow: judged.verdict,
  };
}

/** The gate.json mes-e2e run wrote beside the messages of an unsharded run. */
function decidedThen(messagesFile: string): { verdict: 'PROMOTE' | 'BLOCK'; reasons?: string[] } | undefined {
  const file = join(dirname(messagesFile), 'gate.json');
  if (!existsSync(file)) return undefined;
  try {
    const { verdict, reasons } = JSON.parse(readFileSync(file, 'utf8')) as {
      verdict?: unknown;
      reasons?: unknown;
    };
    if (verdict !== 'PROMOTE' && verdict !== 'BLOCK') return undefined;
    const first = Array.isArray(reasons) ? reasons.slice(0, 3).map(String) : [];
    return { verdict, ...(first.length > 0 ? { reasons: first } : {}) };
  } catch {
    // A damaged gate.json only means the decision then is unknown; the messages still count.
    return undefined;
  }
}
