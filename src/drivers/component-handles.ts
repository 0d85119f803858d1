// Fault injection on one component: stop, start, restart, pause and unpause it, wait until it is ready,
// and read the tail of its log. Containers through the Docker engine, processes through signals; a
// component given by URL belongs to someone else and refuses.
import type { ComponentName } from '../config/schema.ts';
import { MesE2eError } from '../errors.ts';
import { waitUntil } from '../wait/wait-until.ts';
import { dockerEngine } from './docker-engine.ts';
import type { ContainerTarget, FaultTarget, ProcessTarget } from './fault-targets.ts';
import { dockerLogText, tailOfFile } from './log-tail.ts';
import { readinessProbe } from './probes.ts';
import { findProcess, isAlive, killProcess, signalProcess, spawnProcess, stopProcess } from './processes.ts';

export interface ComponentHandle {
  component: ComponentName;
  source: FaultTarget['source'];
  /**
   * Graceful stop (SIGTERM, then SIGKILL after the grace period). Resolves to how it ended ('exit
   * code 0'), as far as mes-e2e can tell: a process it did not start itself only says whether
   * SIGTERM was enough.
   */
  stop(): Promise<string>;
  /** SIGKILL: no chance to finish anything, as when a machine dies. */
  kill(): Promise<void>;
  /** Starts it again and resolves once it is ready. */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Freezes it: it holds its connections but answers nothing. */
  pause(): Promise<void>;
  unpause(): Promise<void>;
  /** Resolves once the component answers its readiness probe. */
  ready(timeoutMs?: number): Promise<void>;
  /** The last lines of its log, credentials masked. */
  logTail(lines?: number): Promise<string>;
}

const defaultReadyMs = 60_000;

function containerHandle(
  target: ContainerTarget,
  secrets: readonly string[],
  ready: ComponentHandle['ready'],
): ComponentHandle {
  const container = async () => (await dockerEngine()).getContainer(target.containerId);
  return {
    component: target.component,
    source: 'container',
    stop: async () => {
      const stopped = await container();
      await stopped.stop({ t: 15 });
      return `exit code ${(await stopped.inspect()).State.ExitCode}`;
    },
    kill: async () => void (await (await container()).kill()),
    start: async () => {
      await (await container()).start();
      await ready();
    },
    restart: async () => {
      await (await container()).restart({ t: 15 });
      await ready();
    },
    pause: async () => void (await (await container()).pause()),
    unpause: async () => void (await (await container()).unpause()),
    ready,
    logTail: async (lines = 20) => {
      const output = (await (await container()).logs({ stdout: true, stderr: true, tail: lines })) as Buffer;
      return secrets
        .reduce((text, secret) => text.replaceAll(secret, '***'), dockerLogText(output))
        .trimEnd();
    },
  };
}

function processHandle(
  target: ProcessTarget,
  secrets: readonly string[],
  ready: ComponentHandle['ready'],
): ComponentHandle {
  const entry = target.process;
  // Another run (or worker) may have started it again: its labels say which process it is now.
  const follow = () => {
    if (isAlive(entry.pid)) return;
    const current = findProcess(target.labels);
    if (current !== undefined) entry.pid = current;
  };
  const start = async () => {
    follow();
    if (isAlive(entry.pid)) return;
    const running = await spawnProcess(entry);
    // The target follows the new process, so that later faults of this worker find it.
    entry.pid = running.record.pid;
    await ready();
  };
  const stop = () => {
    follow();
    return stopProcess(entry.pid);
  };
  const kill = () => {
    follow();
    return killProcess(entry.pid);
  };
  const signal = (name: NodeJS.Signals) => async () => {
    follow();
    if (!signalProcess(entry.pid, name)) {
      throw new MesE2eError(
        'environment',
        `${entry.component} (pid ${entry.pid}) is not running`,
        'start it first',
      );
    }
  };
  return {
    component: target.component,
    source: 'process',
    stop,
    kill,
    start,
    restart: async () => {
      await stop();
      await start();
    },
    pause: signal('SIGSTOP'),
    unpause: signal('SIGCONT'),
    ready,
    logTail: async (lines = 20) => tailOfFile(entry.logFile, secrets, lines),
  };
}

function urlHandle(component: ComponentName, ready: ComponentHandle['ready']): ComponentHandle {
  const refuse = async () => {
    throw new MesE2eError(
      'usage',
      `${component} is given by URL: mes-e2e does not control it, so it cannot stop, start or pause it`,
      'run scenarios that inject faults (@destructive) on the containers or local profile',
    );
  };
  return {
    component,
    source: 'url',
    stop: refuse,
    kill: refuse,
    start: refuse,
    restart: refuse,
    pause: refuse,
    unpause: refuse,
    ready,
    logTail: async () => `(${component} is given by URL: its log is not available to mes-e2e)`,
  };
}

/** A handle for one component of a running environment; its log tails mask the secrets. */
export function componentHandle(target: FaultTarget, secrets: readonly string[] = []): ComponentHandle {
  const probe = readinessProbe(target.readiness);
  const ready: ComponentHandle['ready'] = (timeoutMs = defaultReadyMs) =>
    waitUntil(probe, { within: timeoutMs, description: `${target.component} ready` });
  switch (target.source) {
    case 'container':
      return containerHandle(target, secrets, ready);
    case 'process':
      return processHandle(target, secrets, ready);
    case 'url':
      return urlHandle(target.component, ready);
  }
}
