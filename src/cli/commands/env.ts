// `mes-e2e env up|status|down`: an environment that outlives the command, for a fast edit-run loop.
import type { RunPlan } from '../../config/load.ts';
import {
  dockerEngine,
  type EnvironmentRecord,
  removeByRunId,
  startEnvironment,
} from '../../environment/environment.ts';
import { readRecord, recordPath, removeRecord, writeRecord } from '../../environment/record-file.ts';
import { newRunId } from '../../environment/run-id.ts';
import { MesE2eError } from '../../errors.ts';
import { maskCredentials, type Output, withoutSecrets } from '../output.ts';

export interface Interrupts {
  signal: AbortSignal;
  /** Runs when a second interrupt arrives: stop waiting, remove by force. */
  onForce(action: () => Promise<void>): void;
}

function printEndpoints(record: EnvironmentRecord, out: Output): void {
  const { endpoints } = record;
  const rows: Array<[string, string]> = [
    [
      'rabbitmq',
      `${maskCredentials(endpoints.rabbitmq.amqpUrl)}  (management ${maskCredentials(endpoints.rabbitmq.managementUrl)})`,
    ],
    ['postgres', maskCredentials(endpoints.postgres.databaseUrl)],
    ['crm', endpoints.crm.url],
    ['mes', endpoints.mes.url],
    ['pricing', endpoints.pricing.url],
  ];
  for (const [name, url] of rows) out.line(`  ${out.color.bold(name.padEnd(9))} ${url}`);
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
  interrupts.onForce(async () => {
    await removeByRunId(runId);
  });
  const started = Date.now();
  const progress = (message: string) =>
    out.progress(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);
  progress(`bringing up ${runId} (profile ${plan.profile})`);
  const environment = await startEnvironment(plan, {
    runId,
    onProgress: progress,
    signal: interrupts.signal,
    recordFile: recordPath(plan.reportsDir),
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

async function componentStatuses(record: EnvironmentRecord): Promise<ComponentStatus[]> {
  const docker = await dockerEngine();
  const urls: Record<string, string> = {
    crm: record.endpoints.crm.url,
    mes: record.endpoints.mes.url,
    pricing: record.endpoints.pricing.url,
  };
  const inContainers = new Set<string>(record.containers.map((c) => c.component));
  const byUrl = Object.keys(urls).filter((name) => !inContainers.has(name));
  return Promise.all([
    ...record.containers.map(async ({ component, id }) => {
      const state = await docker
        .getContainer(id)
        .inspect()
        .then((info) => info.State)
        .catch(() => undefined);
      if (!state?.Running)
        return { component, running: false, healthy: false, detail: state ? state.Status : 'container gone' };
      const url = urls[component];
      if (!url) return { component, running: true, healthy: true, detail: 'running' };
      const ready = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(5_000) })
        .then((response) => response.ok)
        .catch(() => false);
      return { component, running: true, healthy: ready, detail: ready ? 'ready' : 'running, not ready' };
    }),
    ...byUrl.map(async (component) => {
      const url = urls[component] ?? '';
      const answers = await fetch(url, { signal: AbortSignal.timeout(5_000) })
        .then(async (response) => {
          await response.body?.cancel();
          return true;
        })
        .catch(() => false);
      return {
        component,
        running: answers,
        healthy: answers,
        detail: answers ? `answers at ${url}` : `no answer at ${url}`,
      };
    }),
  ]);
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
  for (const s of statuses) {
    out.line(
      `  ${s.healthy ? out.color.green('✔') : out.color.red('✖')} ${s.component.padEnd(9)} ${s.detail}`,
    );
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
  out: Output,
  options: { olderThan?: string; dryRun?: boolean; json?: boolean },
): Promise<void> {
  const { prune } = await import('../../environment/prune.ts');
  const runs = await prune({
    olderThanMs: parseDuration(options.olderThan ?? '0'),
    dryRun: options.dryRun === true,
  });
  if (options.json) {
    out.json({ dryRun: options.dryRun === true, runs });
    return;
  }
  const removed = runs.filter((run) => run.keptBecause === undefined);
  for (const run of runs) {
    const what = `${run.runId} (created ${run.createdAt}; ${run.containers.join(', ') || 'network only'})`;
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
  const removed = await removeByRunId(record.runId);
  removeRecord(plan.reportsDir);
  out.line(
    `removed ${record.runId}: ${removed.containers.length} container(s) (${removed.containers.join(', ') || 'none left'}), ${removed.networks.length} network(s)`,
  );
}
