// Retries an operation while it fails for a transient reason, with exponential backoff, until stopped.
import { setTimeout as delay } from 'node:timers/promises';

export interface BackoffOptions {
  isTransient: (error: unknown) => boolean;
  signal: AbortSignal;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  initialMs?: number;
  maxMs?: number;
}

export async function retryWhileTransient<T>(
  operation: () => Promise<T>,
  options: BackoffOptions,
): Promise<T> {
  const { initialMs = 100, maxMs = 5_000 } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (!options.isTransient(error) || options.signal.aborted) throw error;
      const wait = Math.min(maxMs, initialMs * 2 ** (attempt - 1));
      options.onRetry?.(error, attempt, wait);
      // Backoff between reconnect attempts, not a wait for an event: abortable on shutdown.
      await delay(wait, undefined, { signal: options.signal });
    }
  }
}
