// `mes-e2e env up|status|down`: an environment that outlives the command, for a fast edit-run loop.
import type { RunPlan } from '../../config/load.ts';
import type { ComponentName } from '../../config/schema.ts';
import { dockerEngine } from '../../drivers/docker-engine.ts';
import { httpBaseUrlOf } from '../../drivers/endpoints.ts';
import { readinessProbe, standbyState } from '../../drivers/probes.ts';
import { isAlive } from '../../drivers/processes.ts';
import {
  type EnvironmentRecord,
  removeEnvironment,
  startEnvironment,
} from '../../environment/environment.ts';
import { componentNamesOf, readinessOf } from '../../environment/fault-targets.ts';
import { findLabelledProcesses } from '../../environment/labelled-processes.ts';
import { readRecord, recordPath, removeRecord, writeRecord } from '../../environment/record-file.ts';
import { labels, newRunId } from '../../environment/run-id.ts';
import type { Removed } from '../../environment/teardown.ts';
import { sharedInfrastructure } from '../../environment/teardown.ts';
import { MesE2eError } from '../../errors.ts';
import { maskCredentials, type Output, withoutSecrets } from '../output.ts';

export interface Interrupts {
  signal: AbortSignal;
  /** Runs on a second interrupt, or on an uncaught error: stop waiting, remove by force. */
  onForce(action: () => Promise<void>): void;
}

function printEndpoints(record: EnvironmentRecord, out: Output): void {
  const { endpoints } = record;
  const rows: Array<[string, string]> = [
    [
      endpoints.rabbitmq.name,
      endpoints.rabbitmq.managementUrl
        ? `${maskCredentials(endpoints.rabbitmq.amqpUrl)}  (management ${maskCredentials(endpoints.rabbitmq.managementUrl)})`
        : maskCredentials(endpoints.rabbitmq.amqpUrl),
    ],
    ...(endpoints.postgres
      ? [[endpoints.postgres.name, maskCredentials(endpoints.postgres.databaseUrl)] as [string, string]]
      : []),
    ...(endpoints.replica
      ? [
          [
            endpoints.replica.name,
            `${maskCredentials(endpoints.replica.databaseUrl)}  (read replica of ${endpoints.postgres?.name ?? 'the database'})`,
          ] as [string, string],
        ]
      : []),
    ...Object.entries(endpoints.services).map(([name, { url }]): [string, string] => [name, url]),
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, url] of rows) out.line(`  ${out.color.bold(name.padEnd(width))}  ${url}`);
}

export async function envUp(
  plan: RunPlan,
  out: Output,
  interrupts: Interrupts,
  asJson: boolean,
): Promise<void> {
  const existing = readRecord(plan.reportsDir);
  if (existing) {
    throw new MesE2eError(
      'usage',
      `an environment is already up (${existing.runId}, started ${existing.startedAt})`,
      'use it (mes-e2e env status), or remove it first with mes-e2e env down',
    );
  }
  const runId = newRunId();
  const started = Date.now();
  const progress = (message: string) =>
    out.progress(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
  progress(`bringing up ${runId} (profile ${plan.profile})`);
  const environment = await startEnvironment(plan, {
    runId,
    onProgress: progress,
    signal: interrupts.signal,
    recordFile: recordPath(plan.reportsDir),
    onForce: interrupts.onForce,
  });
  const file = writeRecord(plan.reportsDir, environment.record);
  if (asJson) {
    out.json({ ...withoutSecrets(environment.record), file });
    return;
  }
  out.line(
    out.color.green(`environment ${runId} is up after ${((Date.now() - started) / 1000).toFixed(1)} s`),
  );
  printEndpoints(environment.record, out);
  out.line(`endpoints and keys: ${file}; logs: ${environment.record.logDir}`);
  out.line('remove it with: mes-e2e env down');
}

interface ComponentStatus {
  component: string;
  running: boolean;
  healthy: boolean;
  detail: string;
}

const probeResult = (probe: Promise<void>) =>
  probe.then(
    () => ({ ok: true, error: '' }),
    (error: Error) => ({ ok: false, error: error.message }),
  );

async function containerStatus(id: string, probe: () => Promise<void>, readyDetail = async () => 'ready') {
  const docker = await dockerEngine();
  const state = await docker
    .getContainer(id)
    .inspect()
    .then((info) => info.State)
    .catch(() => undefined);
  if (!state?.Running)
    return { running: false, healthy: false, detail: state ? state.Status : 'container gone' };
  const ready = await probeResult(probe());
  return {
    running: true,
    healthy: ready.ok,
    detail: ready.ok ? await readyDetail() : `running, not ready (${ready.error})`,
  };
}

async function processStatus(
  runId: string,
  component: string,
  recordedPid: number,
  probe: () => Promise<void>,
) {
  // A handle may have started it again under another pid: its labels still say whose it is.
  const pid = isAlive(recordedPid)
    ? recordedPid
    : findLabelledProcesses().find(
        (p) => p.labels[labels.runId] === runId && p.labels[labels.component] === component,
      )?.pid;
  if (pid === undefined) return { running: false, healthy: false, detail: `process ${recordedPid} gone` };
  const ready = await probeResult(probe());
  return {
    running: true,
    healthy: ready.ok,
    detail: ready.ok ? `ready (pid ${pid})` : `pid ${pid}, not ready (${ready.error})`,
  };
}

async function componentStatuses(record: EnvironmentRecord): Promise<ComponentStatus[]> {
  return Promise.all(
    componentNamesOf(record).map(async (component) => {
      const probe = readinessProbe(readinessOf(record, component));
      const container = record.containers.find((c) => c.component === component);
      if (container)
        return {
          component,
          ...(await containerStatus(container.id, probe, replicaDetail(record, component))),
        };
      const process = record.processes.find((p) => p.component === component);
      if (process)
        return { component, ...(await processStatus(record.runId, component, process.pid, probe)) };
      const answer = await probeResult(probe());
      const detail = answer.ok ? `answers at ${urlOf(record, component)}` : `no answer (${answer.error})`;
      return { component, running: answer.ok, healthy: answer.ok, detail };
    }),
  );
}

/** For the database's replica, what it streams from and how far behind it is; `ready` for the others. */
function replicaDetail(record: EnvironmentRecord, component: ComponentName): () => Promise<string> {
  const { replica, postgres } = record.endpoints;
  if (component !== replica?.name) return async () => 'ready';
  return async () => {
    const state = await standbyState(replica.databaseUrl).catch(() => undefined);
    const lag = state ? `, replay lag ${state.lagMs} ms` : '';
    return `ready: hot standby of ${postgres?.name ?? 'the database'}, streaming${lag}`;
  };
}

/** Where a component given by URL is, passwords hidden. */
function urlOf(record: EnvironmentRecord, component: ComponentName): string {
  const { endpoints } = record;
  if (component === endpoints.rabbitmq.name) return maskCredentials(endpoints.rabbitmq.amqpUrl);
  if (component === endpoints.postgres?.name) return maskCredentials(endpoints.postgres.databaseUrl);
  if (component === endpoints.replica?.name) return maskCredentials(endpoints.replica.databaseUrl);
  return httpBaseUrlOf(endpoints, component);
}

/** Resolves to true when an environment is up and every component is healthy. */
export async function envStatus(plan: RunPlan, out: Output, asJson: boolean): Promise<boolean> {
  const record = readRecord(plan.reportsDir);
  if (!record) {
    if (asJson) out.json({ up: false });
    else out.line('no environment is up (start one with mes-e2e env up)');
    return false;
  }
  const statuses = await componentStatuses(record);
  const healthy = statuses.every((s) => s.healthy);
  if (asJson) {
    out.json({ up: true, healthy, runId: record.runId, startedAt: record.startedAt, components: statuses });
    return healthy;
  }
  out.line(`environment ${record.runId} (profile ${record.profile}, started ${record.startedAt})`);
  const width = Math.max(...statuses.map((s) => s.component.length));
  for (const s of statuses) {
    const mark = s.healthy ? out.color.green('✔') : out.color.red('✖');
    out.line(`  ${mark} ${s.component.padEnd(width)}  ${s.detail}`);
  }
  printEndpoints(record, out);
  return healthy;
}

/** Accepts 90s, 30m, 2h, 1d or plain milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) {
    throw new MesE2eError(
      'usage',
      `--older-than: "${text}" is not a duration`,
      'write it like 90s, 30m, 2h or 1d',
    );
  }
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 'ms'] ?? 1;
  return Number(match[1]) * unit;
}

export async function envPrune(
  plan: RunPlan,
  out: Output,
  options: { olderThan?: string; dryRun?: boolean; json?: boolean; runIds?: readonly string[] },
): Promise<void> {
  const { prune } = await import('../../environment/prune.ts');
  const { runs, unsearched } = await prune({
    olderThanMs: parseDuration(options.olderThan ?? '0'),
    dryRun: options.dryRun === true,
    shared: sharedInfrastructure(plan),
    ...(options.runIds && options.runIds.length > 0 ? { only: options.runIds } : {}),
  });
  if (options.json) {
    out.json({ dryRun: options.dryRun === true, runs, unsearched });
    return;
  }
  for (const where of unsearched) out.progress(`not searched: ${where}`);
  const removed = runs.filter((run) => run.keptBecause === undefined);
  for (const run of runs) {
    const what = `${run.runId} (created ${run.createdAt}; ${run.parts.join(', ')})`;
    out.line(
      run.keptBecause
        ? `kept    ${what}: ${run.keptBecause}`
        : `${options.dryRun ? 'would remove' : 'removed'} ${what}`,
    );
  }
  out.line(
    removed.length === 0
      ? 'nothing to prune'
      : `${options.dryRun ? 'would remove' : 'removed'} ${removed.length} run(s) left behind`,
  );
}

export async function envDown(plan: RunPlan, out: Output): Promise<void> {
  const record = readRecord(plan.reportsDir);
  if (!record) {
    out.line('no environment is up: nothing to remove');
    return;
  }
  const removed = await removeEnvironment(record);
  if (removed.problems.length > 0) {
    throw new MesE2eError(
      'environment',
      `could not remove all of ${record.runId}: ${removed.problems.join('; ')}`,
      'fix what is named and run mes-e2e env down again (the record is kept), or mes-e2e env prune later',
    );
  }
  removeRecord(plan.reportsDir);
  out.line(`removed ${record.runId}: ${describeRemoved(removed)}`);
}

function describeRemoved(removed: Removed): string {
  const parts = [
    `${removed.containers.length} container(s) (${removed.containers.join(', ') || 'none left'})`,
    `${removed.networks.length} network(s)`,
  ];
  if (removed.processes.length > 0)
    parts.push(`${removed.processes.length} process(es) (${removed.processes.join(', ')})`);
  if (removed.vhost) parts.push('vhost deleted');
  if (removed.database) parts.push('database dropped');
  return parts.join(', ');
}
