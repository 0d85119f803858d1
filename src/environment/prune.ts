// Finds what runs that died left behind (containers and networks, by label) and removes it.
import { hostname } from 'node:os';
import { dockerEngine, removeByRunId } from './environment.ts';
import { readRecordFile } from './record-file.ts';
import { labels } from './run-id.ts';

export interface RunLeftovers {
  runId: string;
  createdAt: string;
  /** Why it is kept, or undefined when it is to be removed. */
  keptBecause: string | undefined;
  containers: string[];
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function whyKept(
  runId: string,
  runLabels: Record<string, string>,
  olderThanMs: number,
  now: number,
): string | undefined {
  const record = runLabels[labels.record];
  if (record && readRecordFile(record)?.runId === runId) return `in use by env up (${record})`;
  const [host, pid] = (runLabels[labels.owner] ?? '').split(':');
  if (host === hostname() && pid && processAlive(Number(pid))) return `its process ${pid} is still running`;
  const age = now - Date.parse(runLabels[labels.createdAt] ?? '');
  if (age < olderThanMs) return `younger than ${Math.round(olderThanMs / 1000)} s`;
  return undefined;
}

/** Every labelled run on the engine, with whether prune would keep it. */
export async function findLeftovers(options: { olderThanMs: number; now?: number }): Promise<RunLeftovers[]> {
  const docker = await dockerEngine();
  const now = options.now ?? Date.now();
  const filters = { label: [labels.runId] };
  const [containers, networks] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
  ]);
  const runs = new Map<string, { labels: Record<string, string>; containers: string[] }>();
  for (const item of [
    ...containers.map((c) => ({ labels: c.Labels, name: c.Labels[labels.component] ?? c.Id })),
    ...networks.map((n) => ({ labels: n.Labels ?? {}, name: '' })),
  ]) {
    const runId = item.labels[labels.runId];
    if (!runId) continue;
    const run = runs.get(runId) ?? { labels: item.labels, containers: [] };
    if (item.name) run.containers.push(item.name);
    runs.set(runId, run);
  }
  return [...runs].map(([runId, run]) => ({
    runId,
    createdAt: run.labels[labels.createdAt] ?? 'unknown',
    keptBecause: whyKept(runId, run.labels, options.olderThanMs, now),
    containers: run.containers,
  }));
}

export async function prune(options: { olderThanMs: number; dryRun: boolean }): Promise<RunLeftovers[]> {
  const runs = await findLeftovers(options);
  if (!options.dryRun) {
    for (const run of runs.filter((r) => r.keptBecause === undefined)) await removeByRunId(run.runId);
  }
  return runs;
}
