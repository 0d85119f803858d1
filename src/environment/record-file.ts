// Where `env up` leaves the running environment's endpoints for later commands (status, down, run, smoke).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EnvironmentRecord } from './environment.ts';

export const recordPath = (reportsDir: string) => join(reportsDir, 'env', 'current.json');

export function writeRecord(reportsDir: string, record: EnvironmentRecord): string {
  const file = recordPath(reportsDir);
  mkdirSync(dirname(file), { recursive: true });
  // It holds the run's credentials: readable by this user only.
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  return file;
}

export function readRecordFile(file: string): EnvironmentRecord | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as EnvironmentRecord;
  } catch {
    return undefined;
  }
}

export const readRecord = (reportsDir: string) => readRecordFile(recordPath(reportsDir));

export function removeRecord(reportsDir: string): void {
  rmSync(recordPath(reportsDir), { force: true });
}
