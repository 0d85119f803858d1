// Run ids and the labels that tie everything a run starts to it: sortable by start time, unique across
// runs on one machine, valid as vhost and database names.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `mes_e2e_${stamp}_${randomBytes(3).toString('hex')}`;
}

export const isRunId = (name: string) => /^mes_e2e_\d{14}_[0-9a-f]{6}$/.test(name);

/**
 * Labels on every container, network, vhost, database and process a run creates: env prune decides
 * from them alone. Containers and networks carry them as Docker labels, vhosts in their description,
 * databases in their comment, processes as MES_E2E_* environment variables.
 */
export const labels = {
  runId: 'org.mes-e2e.run-id',
  component: 'org.mes-e2e.component',
  createdAt: 'org.mes-e2e.created-at',
  /** host:pid of the process that started the run; a run whose process is gone has died. */
  owner: 'org.mes-e2e.owner',
  /** For env up: the record file that keeps the environment in use after its process exits. */
  record: 'org.mes-e2e.record',
} as const;

export type RunLabels = Record<string, string>;

/** The labels of one run's parts; `component` is added per part. */
export function runLabels(runId: string, recordFile: string | undefined): RunLabels {
  return {
    [labels.runId]: runId,
    [labels.createdAt]: new Date().toISOString(),
    [labels.owner]: `${hostname()}:${process.pid}`,
    ...(recordFile ? { [labels.record]: recordFile } : {}),
  };
}

/** The environment variable that carries a label on a process: org.mes-e2e.run-id -> MES_E2E_RUN_ID */
export const variableOf = (label: string) =>
  `MES_E2E_${label.replace('org.mes-e2e.', '').replace('-', '_').toUpperCase()}`;

/** The same labels as environment variables, for processes. */
export function labelsAsEnv(runLabels: RunLabels): Record<string, string> {
  return Object.fromEntries(Object.entries(runLabels).map(([key, value]) => [variableOf(key), value]));
}

export function labelsFromEnv(env: Readonly<Record<string, string>>): RunLabels {
  return Object.fromEntries(
    Object.values(labels).flatMap((key) => {
      const value = env[variableOf(key)];
      return value === undefined ? [] : [[key, value]];
    }),
  );
}
