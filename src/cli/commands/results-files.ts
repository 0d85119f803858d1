// Finding and reading messages files for the gate: a folder may hold many (one per shard, one per run).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FoundStream } from '../../gate/latest-run.ts';
import { readMessages } from '../../gate/messages.ts';
import { findRunIdentity } from '../../gate/run-identity.ts';

/** Every messages.ndjson under a folder (a downloaded artifact holds one per shard). */
export function messagesFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(entry.parentPath, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') return messagesFilesUnder(path);
    return entry.name === 'messages.ndjson' ? [path] : [];
  });
}

/** A file that cannot be read becomes a stream with its error, never a gap. */
export function readStream(file: string): FoundStream {
  try {
    const envelopes = readMessages(file);
    const started = envelopes.find((envelope) => envelope.testRunStarted)?.testRunStarted?.timestamp;
    return {
      stream: { source: file, envelopes },
      runName: findRunIdentity(envelopes)?.name,
      startedAt: started ? started.seconds * 1000 + started.nanos / 1e6 : modifiedAt(file),
    };
  } catch (error) {
    return {
      stream: { source: file, error: (error as Error).message },
      runName: undefined,
      startedAt: modifiedAt(file),
    };
  }
}

const modifiedAt = (file: string) => (existsSync(file) ? statSync(file).mtimeMs : 0);
