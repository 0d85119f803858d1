// Run ids: sortable by start time, unique across runs on one machine, valid as vhost and database names.
import { randomBytes } from 'node:crypto';

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `mes_e2e_${stamp}_${randomBytes(3).toString('hex')}`;
}

export const labels = {
  runId: 'org.mes-e2e.run-id',
  component: 'org.mes-e2e.component',
  createdAt: 'org.mes-e2e.created-at',
} as const;
