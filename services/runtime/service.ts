// Runs a reference service process: configuration errors in one line, graceful stop on SIGTERM/SIGINT.
import { ConfigError } from './env.ts';
import { createLogger, type Logger } from './logger.ts';

const stopDeadlineMs = 15_000;

export interface RunningService {
  stop(): Promise<void>;
}

export async function runService(
  name: string,
  start: (env: NodeJS.ProcessEnv, log: Logger) => Promise<RunningService>,
): Promise<void> {
  const log = createLogger(name, process.env.LOG_LEVEL ?? 'info');
  let service: RunningService;
  try {
    service = await start(process.env, log);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${name}: configuration error: ${error.message}\n`);
    } else {
      log.fatal({ err: error }, 'failed to start');
    }
    process.exit(1);
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'stopping: no new work, finishing in-flight work');
    // A stop that cannot finish (a dependency that never answers) must not keep the process alive.
    setTimeout(() => {
      log.error({ deadlineMs: stopDeadlineMs }, 'stop did not finish in time; exiting');
      process.exit(1);
    }, stopDeadlineMs).unref();
    service.stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
