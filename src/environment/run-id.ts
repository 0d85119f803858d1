// Run ids: sortable by start time, unique across runs on one machine, valid as vhost and database names.
import { randomBytes } from 'node:crypto';

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `mes_e2e_${stamp}_${randomBytes(3).toString('hex')}`;
}

/** Labels on every container and network a run creates: env prune decides from them alone. */
export const labels = {
  runId: 'org.mes-e2e.run-id',
  component: 'org.mes-e2e.component',
  createdAt: 'org.mes-e2e.created-at',
  /** host:pid of the process that started the run; a run whose process is gone has died. */
  owner: 'org.mes-e2e.owner',
  /** For env up: the record file that keeps the environment in use after its process exits. */
  record: 'org.mes-e2e.record',
} as const;
