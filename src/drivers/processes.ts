// Components run as processes: each started detached, as the leader of its own process group (so that
// `env up` can exit and leave it running, and a signal reaches the children it starts), with its
// output appended to its log file; signals to stop, kill, pause and continue it; and processes found
// again by the variables of their environment (the run's labels), as containers are by their labels.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import type { ComponentName } from '../config/schema.ts';
import { eventually } from '../wait/eventually.ts';
import { waitUntil } from '../wait/wait-until.ts';
import { httpReady, tcpListening } from './probes.ts';

export interface ProcessSpec {
  component: ComponentName;
  command: readonly string[];
  cwd: string;
  /** The whole environment of the process, labels included. */
  env: Record<string, string>;
  port: number;
  /** With the port filled in; without it, the process is ready when its port accepts connections. */
  readyUrl: string | undefined;
  logFile: string;
}

export interface ProcessRecord extends ProcessSpec {
  pid: number;
}

export interface RunningProcess {
  record: ProcessRecord;
  /** The exit code or signal once it exited; undefined while it runs. */
  exitStatus(): string | undefined;
  /** Aborts when the process exits: waits on it stop at once. */
  exitSignal: AbortSignal;
}

/**
 * This process's children by pid, with how each ended ('exit code 0', 'killed by SIGTERM'): a stop
 * can say more of its own children than that they are gone. Few per run, so never pruned.
 */
const children = new Map<number, { ended: Promise<string>; hasEnded(): boolean }>();

export async function spawnProcess(spec: ProcessSpec): Promise<RunningProcess> {
  const [command, ...args] = spec.command;
  if (!command) throw new Error(`${spec.component}: empty command`);
  const log = openSync(spec.logFile, 'a', 0o600);
  const exited = new AbortController();
  let status: string | undefined;
  try {
    const child = spawn(command, args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', log, log],
    });
    const ended = new Promise<string>((resolve) =>
      child.once('exit', (code, signal) => {
        status = signal ? `killed by ${signal}` : `exit code ${code}`;
        exited.abort();
        resolve(status);
      }),
    );
    if (child.pid) children.set(child.pid, { ended, hasEnded: () => status !== undefined });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) =>
        reject(new Error(`cannot start ${spec.command.join(' ')} in ${spec.cwd}: ${error.message}`)),
      );
    });
    // It must outlive this process when env up exits.
    child.unref();
    return {
      record: { ...spec, pid: child.pid ?? 0 },
      exitStatus: () => status,
      exitSignal: exited.signal,
    };
  } finally {
    closeSync(log);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/**
 * An exited child that nobody has reaped yet still answers kill(pid, 0). That happens to a process a
 * cucumber worker thread started again: the thread that would reap it is gone.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Sends the signal to the process's group (the process and what it started); false if it is gone. */
export function signalProcess(pid: number, signal: NodeJS.Signals): boolean {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal);
      return true;
    } catch {
      // Not a group leader (or gone): try the process itself, then give up.
    }
  }
  return false;
}

/** Resolves once the process is gone; fails at the deadline. */
export function processExit(pid: number, within: number, after: string): Promise<true> {
  return eventually(() => (isAlive(pid) ? undefined : true), {
    within,
    description: `process ${pid} to exit after ${after}`,
  });
}

/** What a process waits for to count as ready: its readyUrl answering 2xx, else its port accepting connections. */
export const readinessOf = (spec: ProcessSpec): string =>
  spec.readyUrl ? `GET ${spec.readyUrl} answering 2xx` : `port ${spec.port} accepting connections`;

/** Resolves once the process is ready (see readinessOf); fails at the deadline, or at once when it ends first. */
export function processReady(
  running: RunningProcess,
  options: { within: number; maxEvery?: number },
): Promise<void> {
  const { readyUrl, port, component, pid } = running.record;
  return waitUntil(() => (readyUrl ? httpReady(readyUrl) : tcpListening(port)), {
    within: options.within,
    maxEvery: options.maxEvery,
    description: `${component} (pid ${pid})`,
    stop: running.exitSignal,
    stopReason: () => `the process ended (${running.exitStatus()}) before it was ready`,
  });
}

/**
 * SIGTERM, then SIGKILL if it has not exited within the grace period. Resolves once it is gone, to
 * how it ended: the exit status for a child of this process ('exit code 0'), whether SIGTERM was
 * enough for any other.
 */
/**
 * How a child that is gone ended. Its exit event is a moment away once it is reaped, but the child is
 * unref'd (env up may leave it running): the timer holds the event loop open for that moment, and
 * bounds the wait should the event never come.
 */
function endedOrGone(ended: Promise<string>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const gone = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve('exited after SIGTERM'), 2_000);
  });
  return Promise.race([ended, gone]).finally(() => clearTimeout(timer));
}

export async function stopProcess(pid: number, graceMs = 15_000): Promise<string> {
  // A child that ended already is not the process that has its pid now.
  const child = children.get(pid)?.hasEnded() === false ? children.get(pid) : undefined;
  // A stopped (paused) process cannot act on SIGTERM until it continues.
  signalProcess(pid, 'SIGCONT');
  if (!signalProcess(pid, 'SIGTERM')) return 'not running';
  try {
    await processExit(pid, graceMs, 'SIGTERM');
  } catch {
    await killProcess(pid);
    return `killed by SIGKILL: still running ${graceMs} ms after SIGTERM`;
  }
  // Gone already, but perhaps not yet reaped: its exit event is a moment away.
  return child ? await endedOrGone(child.ended) : 'exited after SIGTERM';
}

export async function killProcess(pid: number): Promise<void> {
  if (signalProcess(pid, 'SIGKILL')) await processExit(pid, 5_000, 'SIGKILL');
}

/**
 * Processes of this user whose environment has the variable `marker`, with their whole environment
 * (Linux /proc). Elsewhere it finds none: processes left by dead runs must then be stopped by hand.
 */
export function processEnvironments(marker: string): Array<{ pid: number; env: Record<string, string> }> {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    try {
      const environ = readFileSync(`/proc/${name}/environ`, 'latin1');
      if (!environ.includes(`${marker}=`)) return [];
      const env = Object.fromEntries(
        environ
          .split('\0')
          .filter(Boolean)
          .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
      );
      return env[marker] === undefined ? [] : [{ pid: Number(name), env }];
    } catch {
      // Another user's process, or one that exited while we looked.
      return [];
    }
  });
}

/** A process whose environment carries every one of the variables, with those values. */
export function findProcess(variables: Readonly<Record<string, string>>): number | undefined {
  const [marker] = Object.keys(variables);
  if (marker === undefined) return undefined;
  const matches = (env: Record<string, string>) =>
    Object.entries(variables).every(([name, value]) => env[name] === value);
  return processEnvironments(marker).find((p) => matches(p.env))?.pid;
}
