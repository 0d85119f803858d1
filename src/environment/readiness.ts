// Waiting for a component to get ready while the environment starts, and the one-paragraph failure
// when it does not: the component, what was waited for, and the tail of its log.
import { join } from 'node:path';
import type { WaitStrategy } from 'testcontainers';
import { MesE2eError } from '../errors.ts';
import { waitUntil } from '../wait/wait-until.ts';
import type { ComponentLogs } from './component-logs.ts';

export interface ReadinessContext {
  logs: ComponentLogs;
  onProgress(message: string): void;
}

export async function readyOrExplain<T>(
  context: ReadinessContext,
  component: string,
  waitedFor: string,
  timeoutMs: number,
  start: () => Promise<T>,
): Promise<T> {
  const began = performance.now();
  try {
    const result = await start();
    // Each component's own time, so that the environment's total can be set against its slowest part.
    context.onProgress(
      `${component} ready in ${((performance.now() - began) / 1000).toFixed(1)} s (${waitedFor})`,
    );
    return result;
  } catch (error) {
    if (error instanceof MesE2eError) throw error;
    throw new MesE2eError(
      'environment',
      `${component} did not get ready within ${timeoutMs} ms (waited for ${waitedFor}): ${(error as Error).message}\n--- last lines of ${component}'s log ---\n${context.logs.tail(component)}`,
      `see ${join(context.logs.dir, `${component}.log`)}; raise readyTimeoutMs in the configuration if the machine is just slow`,
      { cause: error },
    );
  }
}

/** Readiness is polled at most this far apart: the environment is ready soon after its last component. */
export const readinessPollMs = 200;

/**
 * A container wait strategy that probes from this machine until the probe passes, polled with a short
 * backoff (testcontainers' own strategies poll once a second), and stops waiting as soon as the
 * container has exited, saying with which code, instead of at the deadline.
 */
export function probedUntilReady(probe: () => Promise<void>, description: string): WaitStrategy {
  let timeoutMs = 60_000;
  return {
    async waitUntilReady(container) {
      const exited = new AbortController();
      let exitCode: number | undefined;
      await waitUntil(
        async () => {
          try {
            await probe();
          } catch (error) {
            const { State } = await container.inspect();
            if (!State.Running) {
              exitCode = State.ExitCode;
              exited.abort();
            }
            throw error;
          }
        },
        {
          within: timeoutMs,
          maxEvery: readinessPollMs,
          description,
          stop: exited.signal,
          stopReason: () => `the container exited (code ${exitCode}) before it was ready`,
        },
      );
    },
    withStartupTimeout(startupTimeoutMs) {
      timeoutMs = startupTimeoutMs;
      return this;
    },
    isStartupTimeoutSet: () => true,
    getStartupTimeout: () => timeoutMs,
  };
}
