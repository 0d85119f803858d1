// Waiting on a probe (one attempt at a component's readiness): repeated until it passes, until the
// deadline, or until what it waits on stops, so that a process that exited is not waited on any longer.
import { eventually } from './eventually.ts';

/** Repeats a probe until it passes, the deadline passes, or `stop` aborts (a process that exited). */
export async function waitUntil(
  probe: () => Promise<void>,
  options: {
    within: number;
    description: string;
    /** The longest pause between two probes (eventually's default otherwise). */
    maxEvery?: number;
    stop?: AbortSignal;
    stopReason?: () => string;
  },
): Promise<void> {
  try {
    await eventually(
      async () => {
        await probe();
        return true;
      },
      {
        within: options.within,
        description: options.description,
        maxEvery: options.maxEvery,
        signal: options.stop,
      },
    );
  } catch (error) {
    if (options.stop?.aborted) throw new Error(options.stopReason?.() ?? 'stopped', { cause: error });
    throw error;
  }
}
