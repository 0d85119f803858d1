// Finds what runs that died left behind, by label (containers and networks on the Docker engine,
// processes of this machine, vhosts and databases on the shared broker and database), and removes it.
import { hostname } from 'node:os';
import { dockerEngine } from '../drivers/docker-engine.ts';
import { isAlive } from '../drivers/processes.ts';
import { listRunDatabases, listRunVhosts } from './isolation.ts';
import { findLabelledProcesses } from './labelled-processes.ts';
import { readRecordFile } from './record-file.ts';
import { labels, type RunLabels } from './run-id.ts';
import { removeRun, type SharedInfrastructure } from './teardown.ts';

export interface RunLeftovers {
  runId: string;
  createdAt: string;
  /** Why it is kept, or undefined when it is to be removed. */
  keptBecause: string | undefined;
  /** What is left: components, "vhost", "database". */
  parts: string[];
  hasContainers: boolean;
}

export interface PruneResult {
  runs: RunLeftovers[];
  /** Places that could not be searched, and why. */
  unsearched: string[];
}

function whyKept(runId: string, runLabels: RunLabels, olderThanMs: number, now: number): string | undefined {
  const record = runLabels[labels.record];
  if (record && readRecordFile(record)?.runId === runId) return `in use by env up (${record})`;
  const [host, pid] = (runLabels[labels.owner] ?? '').split(':');
  if (host === hostname() && pid && isAlive(Number(pid))) return `its process ${pid} is still running`;
  const age = now - Date.parse(runLabels[labels.createdAt] ?? '');
  if (age < olderThanMs) return `younger than ${Math.round(olderThanMs / 1000)} s`;
  return undefined;
}

interface Part {
  runLabels: RunLabels;
  name: string;
  container?: boolean;
}

async function dockerParts(): Promise<Part[]> {
  const docker = await dockerEngine();
  const filters = { label: [labels.runId] };
  const [containers, networks] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
  ]);
  return [
    ...containers.map((c) => ({
      runLabels: c.Labels,
      name: c.Labels[labels.component] ?? c.Id,
      container: true,
    })),
    ...networks.map((n) => ({ runLabels: n.Labels ?? {}, name: 'network', container: true })),
  ];
}

/** Every run that left something, with whether prune would keep it. */
export async function findLeftovers(options: {
  olderThanMs: number;
  shared: SharedInfrastructure;
  now?: number;
}): Promise<PruneResult> {
  const now = options.now ?? Date.now();
  const unsearched: string[] = [];
  const search = async (where: string, find: () => Promise<Part[]>): Promise<Part[]> =>
    find().catch((error: Error) => {
      unsearched.push(`${where}: ${error.message}`);
      return [];
    });
  const { managementUrl, adminDatabaseUrl } = options.shared;
  const found = await Promise.all([
    search('Docker', dockerParts),
    search('processes', async () =>
      findLabelledProcesses().map((p) => ({
        runLabels: p.labels,
        name: `${p.labels[labels.component] ?? 'process'} (pid ${p.pid})`,
      })),
    ),
    managementUrl
      ? search('RabbitMQ vhosts', async () =>
          (await listRunVhosts(managementUrl)).map((v) => ({
            runLabels: { [labels.runId]: v.name, ...v.labels },
            name: 'vhost',
          })),
        )
      : [],
    adminDatabaseUrl
      ? search('PostgreSQL databases', async () =>
          (await listRunDatabases(adminDatabaseUrl)).map((d) => ({
            runLabels: { [labels.runId]: d.name, ...d.labels },
            name: 'database',
          })),
        )
      : [],
  ]);
  const runs = new Map<string, { runLabels: RunLabels; parts: string[]; hasContainers: boolean }>();
  for (const part of found.flat()) {
    const runId = part.runLabels[labels.runId];
    if (!runId) continue;
    const run = runs.get(runId) ?? { runLabels: part.runLabels, parts: [], hasContainers: false };
    run.parts.push(part.name);
    run.hasContainers ||= part.container === true;
    runs.set(runId, run);
  }
  return {
    unsearched,
    runs: [...runs].map(([runId, run]) => ({
      runId,
      createdAt: run.runLabels[labels.createdAt] ?? 'unknown',
      keptBecause: whyKept(runId, run.runLabels, options.olderThanMs, now),
      parts: run.parts,
      hasContainers: run.hasContainers,
    })),
  };
}

export async function prune(options: {
  olderThanMs: number;
  dryRun: boolean;
  shared: SharedInfrastructure;
  /** Only these runs (by id); every run left behind when not given. */
  only?: readonly string[];
}): Promise<PruneResult> {
  const found = await findLeftovers(options);
  const { only } = options;
  const result = only ? { ...found, runs: found.runs.filter((run) => only.includes(run.runId)) } : found;
  if (!options.dryRun) {
    for (const run of result.runs.filter((r) => r.keptBecause === undefined)) {
      await removeRun(run.runId, { shared: options.shared, expectContainers: run.hasContainers });
    }
  }
  return result;
}
