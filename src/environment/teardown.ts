// Removes everything of one run, found by its labels: processes, containers and network, and the
// run's vhost and database on shared infrastructure. Used by env down, by a failed or interrupted
// start, by a second interrupt (force), and by env prune. Idempotent: what is gone already is skipped.
import { brokerOf, databaseOf } from '../config/components.ts';
import type { RunPlan } from '../config/load.ts';
import { dockerEngine } from '../drivers/docker-engine.ts';
import { isAlive, stopProcess } from '../drivers/processes.ts';
import { maskLogFile } from './component-logs.ts';
import { removeContainersByRunId } from './docker.ts';
import { deleteVhost, dropDatabase } from './isolation.ts';
import { findLabelledProcesses } from './labelled-processes.ts';
import { labels } from './run-id.ts';

/** Where runs get their vhost and database when the broker and database are shared (given by URL). */
export interface SharedInfrastructure {
  managementUrl?: string | undefined;
  adminDatabaseUrl?: string | undefined;
}

export function sharedInfrastructure(plan: RunPlan): SharedInfrastructure {
  const broker = brokerOf(plan.components);
  const database = databaseOf(plan.components);
  return {
    managementUrl: broker.source === 'url' ? broker.managementUrl : undefined,
    adminDatabaseUrl: database?.source === 'url' ? database.url : undefined,
  };
}

export interface Removed {
  containers: string[];
  networks: string[];
  /** component (pid) */
  processes: string[];
  vhost: boolean;
  database: boolean;
  /** What could not be removed, and why. */
  problems: string[];
}

export interface RemoveOptions {
  shared: SharedInfrastructure;
  /** Pids known from the record: found even where processes cannot be listed by label. */
  knownPids?: readonly number[];
  /** When the run had containers, an engine that does not answer is a problem, not a detail. */
  expectContainers: boolean;
  /** Process logs are written by the processes themselves: masked here, at the end. */
  logFiles?: readonly string[];
  secrets?: readonly string[];
}

async function stopProcesses(runId: string, knownPids: readonly number[]): Promise<string[]> {
  const labelled = findLabelledProcesses().filter((p) => p.labels[labels.runId] === runId);
  const byPid = new Map(labelled.map((p) => [p.pid, p.labels[labels.component] ?? 'process']));
  for (const pid of knownPids) if (!byPid.has(pid) && isAlive(pid)) byPid.set(pid, 'process');
  await Promise.all([...byPid.keys()].map((pid) => stopProcess(pid)));
  return [...byPid].map(([pid, component]) => `${component} (${pid})`);
}

async function attempt(problems: string[], what: string, work: () => Promise<unknown>): Promise<boolean> {
  try {
    await work();
    return true;
  } catch (error) {
    problems.push(`${what}: ${(error as Error).message}`);
    return false;
  }
}

export async function removeRun(runId: string, options: RemoveOptions): Promise<Removed> {
  const removed: Removed = {
    containers: [],
    networks: [],
    processes: [],
    vhost: false,
    database: false,
    problems: [],
  };
  const { problems } = removed;
  // Processes first: they hold connections to the vhost and database that are dropped next.
  await attempt(problems, 'processes', async () => {
    removed.processes = await stopProcesses(runId, options.knownPids ?? []);
  });
  const docker = await dockerEngine().catch((error: Error) => {
    if (options.expectContainers) problems.push(`containers: ${error.message}`);
    return undefined;
  });
  const { managementUrl, adminDatabaseUrl } = options.shared;
  await Promise.all([
    docker &&
      attempt(problems, 'containers', async () => {
        Object.assign(removed, await removeContainersByRunId(runId));
      }),
    managementUrl &&
      attempt(problems, `vhost ${runId}`, async () => {
        removed.vhost = await deleteVhost(managementUrl, runId);
      }),
    adminDatabaseUrl &&
      attempt(problems, `database ${runId}`, async () => {
        removed.database = await dropDatabase(adminDatabaseUrl, runId);
      }),
  ]);
  for (const file of options.logFiles ?? []) maskLogFile(file, options.secrets ?? []);
  return removed;
}
