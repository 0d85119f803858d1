// Fault injection: stop, start, restart, pause and unpause a component of a running environment, and
// read the tail of its log. Containers through the Docker engine, processes through signals; a
// component given by URL belongs to someone else and refuses.
import type { ComponentName } from '../config/schema.ts';
import { MesE2eError } from '../errors.ts';
import { tailOfFile } from './component-logs.ts';
import { dockerEngine } from './docker.ts';
import type { EnvironmentRecord } from './environment.ts';
import { secretsOf } from './environment.ts';
import { amqpHandshake, httpAnswers, httpReady, sqlSelectOne, tcpListening } from './probes.ts';
import {
  findLabelledProcesses,
  isAlive,
  killProcess,
  type ProcessRecord,
  signalProcess,
  spawnProcess,
  stopProcess,
} from './processes.ts';
import { waitUntil } from './readiness.ts';
import { labels } from './run-id.ts';

export interface ComponentHandle {
  component: ComponentName;
  source: 'container' | 'process' | 'url';
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

/** One attempt at the component's readiness: what `ready()` repeats and `env status` asks once. */
export function probeOf(record: EnvironmentRecord, component: ComponentName): () => Promise<void> {
  const { endpoints } = record;
  switch (component) {
    case 'rabbitmq':
      return () => amqpHandshake(endpoints.rabbitmq.amqpUrl);
    case 'postgres':
      return () => sqlSelectOne(endpoints.postgres.databaseUrl);
    default: {
      const process = record.processes.find((p) => p.component === component);
      if (process && !process.readyUrl) return () => tcpListening(process.port);
      const url = endpoints[component].url;
      if (process) return () => httpReady(process.readyUrl ?? `${url}/health/ready`);
      if (record.containers.some((c) => c.component === component))
        return () => httpReady(`${url}/health/ready`);
      // Someone else's service, given by URL: it counts as ready when it answers at all.
      return () => httpAnswers(url);
    }
  }
}

/** Docker's log stream: 8-byte frame headers (stream, size) before each chunk when there is no TTY. */
function demultiplex(buffer: Buffer): string {
  const chunks: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    chunks.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(chunks).toString('utf8');
}

function containerHandle(
  record: EnvironmentRecord,
  component: ComponentName,
  id: string,
  ready: ComponentHandle['ready'],
): ComponentHandle {
  const container = async () => (await dockerEngine()).getContainer(id);
  const secrets = secretsOf(record);
  return {
    component,
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
      return secrets.reduce((text, secret) => text.replaceAll(secret, '***'), demultiplex(output)).trimEnd();
    },
  };
}

function processHandle(
  record: EnvironmentRecord,
  entry: ProcessRecord,
  ready: ComponentHandle['ready'],
  onRecordChange: (record: EnvironmentRecord) => void,
): ComponentHandle {
  const secrets = secretsOf(record);
  // Another run (or worker) may have started it again: its labels say which process it is now.
  const follow = () => {
    if (isAlive(entry.pid)) return;
    const current = findLabelledProcesses().find(
      (p) => p.labels[labels.runId] === record.runId && p.labels[labels.component] === entry.component,
    );
    if (current) entry.pid = current.pid;
  };
  const start = async () => {
    follow();
    if (isAlive(entry.pid)) return;
    const running = await spawnProcess(entry);
    // The record follows the new process, so that env down and later handles find it.
    entry.pid = running.record.pid;
    onRecordChange(record);
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
    component: entry.component,
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

/**
 * A handle for one component of a running environment. A process that is started again gets a new
 * pid: `onRecordChange` hears of it, to keep a record file current.
 */
export function componentHandle(
  record: EnvironmentRecord,
  component: ComponentName,
  onRecordChange: (record: EnvironmentRecord) => void = () => {},
): ComponentHandle {
  const probe = probeOf(record, component);
  const ready: ComponentHandle['ready'] = (timeoutMs = defaultReadyMs) =>
    waitUntil(probe, { within: timeoutMs, description: `${component} ready` });
  const container = record.containers.find((c) => c.component === component);
  if (container) return containerHandle(record, component, container.id, ready);
  const process = record.processes.find((p) => p.component === component);
  if (process) return processHandle(record, process, ready, onRecordChange);
  return urlHandle(component, ready);
}
