// Runs a reference service as a child process, the way the `process` source will: waits for its
// "listening" log line, keeps its logs, and can stop it gracefully or kill it.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { eventually } from '../../src/wait/eventually.ts';
import { repoRoot } from './run-cli.ts';

export type ServiceName = 'crm' | 'mes' | 'pricing';

export interface ServiceProcess {
  name: ServiceName;
  url: string;
  logs: Array<Record<string, unknown>>;
  /** What the process wrote to stderr (a crash's stack trace). */
  stderr: string[];
  /** SIGTERM and wait for exit; resolves to the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL: no cleanup at all, as when a machine dies. */
  kill(): Promise<void>;
  exited: Promise<number | null>;
  hasExited(): boolean;
}

export async function startService(
  name: ServiceName,
  env: Record<string, string>,
  options: { readyWithin?: number; onLog?: (entry: Record<string, unknown>) => void } = {},
): Promise<ServiceProcess> {
  const child: ChildProcess = spawn(process.execPath, [`services/${name}/src/server.ts`], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      entry = { msg: line };
    }
    logs.push(entry);
    options.onLog?.(entry);
  });
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => stderr.push(line));
  let exitCode: number | null | undefined;
  // 'close' comes after the output is read to the end: the last log lines are in `logs` by then.
  const exited = once(child, 'close').then(([code]) => {
    exitCode = code as number | null;
    return exitCode;
  });
  const exitedEarly = new AbortController();
  void exited.then(() => exitedEarly.abort());

  const url = await eventually(
    () => logs.find((entry) => entry.msg === 'listening')?.url as string | undefined,
    { within: options.readyWithin ?? 30_000, description: `${name} listening`, signal: exitedEarly.signal },
  ).catch((error: Error) => {
    child.kill('SIGKILL');
    if (exitCode === undefined) throw error;
    throw new Error(
      `${name} exited with ${exitCode} before listening: ${stderr.join('\n')}${JSON.stringify(logs.slice(-5))}`,
    );
  });

  return {
    name,
    url,
    logs,
    stderr,
    exited,
    hasExited: () => exitCode !== undefined,
    async stop() {
      if (exitCode === undefined) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (exitCode === undefined) child.kill('SIGKILL');
      await exited;
    },
  };
}
