// The only module that touches process: wires stdio, argv, cwd and env into the CLI and sets the exit code.
import { exitCodeOf } from './outcome.ts';
import { runCli } from './program.ts';

// mes-e2e removes what it starts itself (labels, signals, env prune), and environments from
// `env up` must outlive this process: testcontainers' reaper would remove them at exit.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
if (!process.env.DOCKER_HOST) process.env.TESTCONTAINERS_HOST_OVERRIDE ??= 'localhost';

const interrupted = new AbortController();
const forceActions: Array<() => Promise<void>> = [];

// When the reader of stdout or stderr goes away (`mes-e2e list | head`, a CI step killed mid-run),
// nothing more is written; a run cleans up as on SIGTERM. Writing a report of the failed write to the
// same closed pipe would fail again, endlessly.
let readerGone = false;
const say = (stream: NodeJS.WriteStream) => (text: string) => {
  if (!readerGone) stream.write(text);
};
const stdout = say(process.stdout);
const stderr = say(process.stderr);
const onOutputError = (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
  if (readerGone) return;
  readerGone = true;
  interrupted.abort();
};
process.stdout.on('error', onOutputError);
process.stderr.on('error', onOutputError);

const onSignal = (signal: NodeJS.Signals) => {
  if (!interrupted.signal.aborted) {
    stderr(`mes-e2e: ${signal}: cleaning up (again to force)\n`);
    interrupted.abort();
    return;
  }
  stderr('mes-e2e: forcing removal\n');
  void Promise.allSettled(forceActions.map((action) => action())).then(() =>
    process.exit(exitCodeOf('interrupted')),
  );
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

// A bug must not leave a run's containers, processes, vhost and database behind: clean up, then fail.
let crashed = false;
const onCrash = (error: unknown) => {
  if (crashed) return;
  crashed = true;
  process.exitCode = exitCodeOf('usage-error');
  stderr(`mes-e2e: internal error: ${describeError(error)}\nmes-e2e: removing what this run started\n`);
  interrupted.abort();
  void Promise.allSettled(forceActions.map((action) => action())).then(() =>
    process.exit(exitCodeOf('usage-error')),
  );
};
process.on('uncaughtException', onCrash);
process.on('unhandledRejection', onCrash);

try {
  const code = await runCli({
    argv: process.argv.slice(2),
    cwd: process.cwd(),
    env: process.env,
    stdout,
    stderr,
    isTTY: process.stdout.isTTY === true,
    interrupts: { signal: interrupted.signal, onForce: (action) => forceActions.push(action) },
    // Loaded on demand: most commands never ask, and testcontainers is slow to import.
    dockerAnswers: async () => {
      const { getContainerRuntimeClient } = await import('testcontainers');
      return getContainerRuntimeClient().then(
        () => true,
        () => false,
      );
    },
  });
  // After a crash the crash handler exits, once its removal is done, with the crash's own code.
  if (!crashed) process.exitCode = code;
  // Cucumber has no cancel: after an interrupt its workers may still be busy, and only an exit stops them.
  if (interrupted.signal.aborted && !crashed) process.exit(process.exitCode);
} catch (error) {
  stderr(`mes-e2e: internal error: ${describeError(error)}\n`);
  process.exitCode = exitCodeOf('usage-error');
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
