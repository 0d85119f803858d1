// Runs the real mes-e2e executable as a child process, the way a user or a pipeline does.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { eventually } from '../../src/wait/eventually.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const binPath = fileURLToPath(new URL('../../bin/mes-e2e', import.meta.url));

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCommand(
  file: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      [...args],
      { cwd: options.cwd ?? repoRoot, env: options.env ?? process.env, timeout: options.timeoutMs ?? 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export function runMesE2e(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return runCommand(process.execPath, [binPath, ...args], options);
}

/** The run id env up announces ("bringing up mes_e2e_..."). */
/** The gate's reason for a scenario's failure, from a run's --json summary; fails the test when there is none. */
export function failureReasonOf(summary: { reasons: string[] }, scenario: string): string {
  const reason = summary.reasons.find((line) => line.includes(`"${scenario}"`) && line.includes('FAILED'));
  return (
    reason ?? assert.fail(`no failure of "${scenario}" among the reasons:\n${summary.reasons.join('\n')}`)
  );
}

export const runIdFrom = (text: string): string => {
  const runId = /bringing up (mes_e2e_\w+)/.exec(text)?.[1];
  if (!runId) throw new Error(`no run id in: ${text}`);
  return runId;
};

/** Starts `mes-e2e env up` in the background and resolves, with its run id, once stderr shows `line`. */
export async function envUpUntil(
  cwd: string,
  line: string,
  options: { args?: readonly string[]; env: NodeJS.ProcessEnv },
) {
  const child = spawn(process.execPath, [binPath, 'env', 'up', ...(options.args ?? [])], {
    cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (text) => stderr.push(text));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  await eventually(() => (stderr.some((text) => text.includes(line)) ? true : undefined), {
    within: 60_000,
    description: `env up reaching "${line}"`,
  });
  return { child, exited, stderr, runId: runIdFrom(stderr.join('\n')) };
}
