// What a reference service said: the JSON lines (pino) its process writes to its log file, read back.
import { readFileSync } from 'node:fs';
import type { ComponentName } from '../../src/config/schema.ts';
import type { EnvironmentRecord } from '../../src/environment/environment.ts';

export type LogEntry = Readonly<Record<string, unknown>>;

/**
 * The entries a log file holds so far; a line that is not JSON (a crash on stderr) is kept as its
 * msg, and a last line still being written is left for the next read.
 */
export function logEntries(file: string): LogEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const lines = text.split('\n').slice(0, -1);
  return lines.filter(Boolean).map((line) => {
    try {
      const entry: unknown = JSON.parse(line);
      return entry !== null && typeof entry === 'object' ? (entry as LogEntry) : { msg: line };
    } catch {
      return { msg: line };
    }
  });
}

/** The log of a service of the environment: every process it ran as under that name, in order. */
export function serviceLog(record: EnvironmentRecord, component: ComponentName): LogEntry[] {
  const started = record.processes.find((p) => p.component === component);
  if (!started) throw new Error(`${component} is not a process of this environment`);
  return logEntries(started.logFile);
}
