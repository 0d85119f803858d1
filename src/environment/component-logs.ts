// Streams each component's output to reports/<run-id>/logs/<component>.log with credentials masked.
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

export interface ComponentLogs {
  dir: string;
  /** A consumer for testcontainers' withLogConsumer. */
  consumer(component: string): (stream: Readable) => void;
  /** The last lines a component wrote (masked), for failure messages. */
  tail(component: string, lines?: number): string;
}

export function createComponentLogs(dir: string, secrets: readonly string[]): ComponentLogs {
  mkdirSync(dir, { recursive: true });
  const mask = (text: string) =>
    secrets.filter(Boolean).reduce((masked, secret) => masked.replaceAll(secret, '***'), text);
  // The last lines stay in memory too: a failure message needs them before the file is flushed.
  const recent = new Map<string, string[]>();
  const remember = (component: string, lines: readonly string[]) => {
    recent.set(component, [...(recent.get(component) ?? []), ...lines].slice(-50));
  };
  return {
    dir,
    consumer: (component) => (stream) => {
      const file = createWriteStream(join(dir, `${component}.log`), { flags: 'a', mode: 0o600 });
      // Whole lines only, so that a secret split across two chunks is still masked.
      let partial = '';
      stream.on('data', (chunk: Buffer | string) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        if (lines.length === 0) return;
        const masked = lines.map(mask);
        remember(component, masked);
        file.write(`${masked.join('\n')}\n`);
      });
      const finish = () => {
        const last = partial ? [mask(partial)] : [];
        remember(component, last);
        file.end(last.length > 0 ? `${last[0]}\n` : '');
      };
      stream.on('end', finish);
      stream.on('error', finish);
    },
    tail(component, lines = 20) {
      const kept = recent.get(component) ?? [];
      return kept.length > 0 ? kept.slice(-lines).join('\n') : '(it wrote nothing)';
    },
  };
}
