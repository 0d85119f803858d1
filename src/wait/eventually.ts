// The one way mes-e2e waits: poll a check with backoff until it passes or a deadline, then fail
// with what was last seen. Never a fixed sleep.
import { setTimeout as delay } from 'node:timers/promises';

export interface EventuallyOptions {
  /** Deadline in milliseconds. */
  within: number;
  /** First poll interval in milliseconds; doubles up to maxEvery. */
  every?: number;
  maxEvery?: number;
  /** What is being waited for, for the error message. */
  description: string;
  signal?: AbortSignal;
}

export class DeadlineExceededError extends Error {
  readonly lastSeen: unknown;
  constructor(description: string, within: number, lastSeen: unknown) {
    super(`${description}: not seen within ${within} ms; last seen: ${describe(lastSeen)}`);
    this.name = 'DeadlineExceededError';
    this.lastSeen = lastSeen;
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text && text.length > 500 ? `${text.slice(0, 500)}...` : String(text);
}

/**
 * Calls `check` until it returns a value other than undefined (or stops throwing) and returns that
 * value. `check` may return `{ pending: seen }` style objects by throwing; the last throw or value is reported.
 */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  options: EventuallyOptions,
): Promise<T> {
  const deadline = performance.now() + options.within;
  let interval = options.every ?? 25;
  const maxInterval = options.maxEvery ?? 500;
  let lastSeen: unknown = 'nothing yet';
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
      lastSeen = 'undefined';
    } catch (error) {
      lastSeen = error;
    }
    const remaining = deadline - performance.now();
    if (remaining <= 0) throw new DeadlineExceededError(options.description, options.within, lastSeen);
    // Polling interval between checks of the real condition, bounded by the deadline.
    await delay(Math.min(interval, remaining), undefined, { signal: options.signal });
    interval = Math.min(interval * 2, maxInterval);
  }
}
