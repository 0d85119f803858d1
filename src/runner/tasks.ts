// A run as a list of tasks, each with a setup and a teardown, as Playwright Test's task runner does:
// setups run in order; every teardown whose task was reached runs in reverse, on success, failure or
// interrupt. A teardown is registered before its setup runs, so a setup that fails half-way is undone.

export interface Task<Context> {
  /** Said when the task starts; a function when it depends on what earlier tasks found. */
  title: string | ((context: Context) => string);
  setup?(context: Context): Promise<void>;
  teardown?(context: Context): Promise<void>;
  /**
   * The setup has no way to stop (cucumber has no cancel): on an interrupt the run stops waiting
   * for it and tears down. Otherwise the setup is awaited, since it watches the signal itself and
   * removes what it had started before it settles (a half-started environment).
   */
  abandonOnInterrupt?: boolean;
}

export interface TaskEvents {
  signal: AbortSignal;
  /** A task starts ("environment: starting"), or a teardown begins. */
  onStage(title: string): void;
  /** A teardown failed: said, never thrown over the error that may have caused it. */
  onTeardownError(title: string, error: unknown): void;
}

/** Resolves 'done' or 'interrupted' (the signal aborted between or during setups); rethrows a setup's error after teardown. */
export async function runTasks<Context>(
  tasks: ReadonlyArray<Task<Context>>,
  context: Context,
  events: TaskEvents,
): Promise<'done' | 'interrupted'> {
  const teardowns: Array<Task<Context>> = [];
  try {
    for (const task of tasks) {
      if (events.signal.aborted) return 'interrupted';
      if (task.teardown) teardowns.push(task);
      events.onStage(titleOf(task, context));
      const setup = task.setup?.(context) ?? Promise.resolve();
      if (task.abandonOnInterrupt) {
        if (await untilAborted(setup, events.signal)) return 'interrupted';
      } else {
        await setup;
        if (events.signal.aborted) return 'interrupted';
      }
    }
    return 'done';
  } finally {
    for (const task of teardowns.reverse()) {
      try {
        await task.teardown?.(context);
      } catch (error) {
        events.onTeardownError(titleOf(task, context), error);
      }
    }
  }
}

const titleOf = <Context>(task: Task<Context>, context: Context) =>
  typeof task.title === 'function' ? task.title(context) : task.title;

/**
 * True when the signal aborts before the setup settles. The setup goes on in the background (cucumber
 * has no cancel) and its later failure is not reported: the teardowns remove what it was using.
 */
async function untilAborted(setup: Promise<void>, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) {
    setup.catch(() => {});
    return true;
  }
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<true>((resolve) => {
    onAbort = () => resolve(true);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const first = await Promise.race([setup.then(() => false as const), aborted]);
    if (first) setup.catch(() => {});
    return first;
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
