// What the analytics panel shows: orders by status and segment, throughput, created-to-priced latency.
import type { Database } from '../../runtime/database.ts';
import type { QueueStatsResult } from './queue-stats.ts';

export const metricsWindowMinutes = 15;

export interface Metrics {
  generatedAt: string;
  orders: { total: number; byStatusAndSegment: Array<{ status: string; segment: string; count: number }> };
  throughput: { windowMinutes: number; pricedPerMinute: Array<{ minute: string; count: number }> };
  latency: {
    windowMinutes: number;
    createdToPricedMs: Record<string, { count: number; p50: number | null; p95: number | null }>;
  };
  queues: QueueStatsResult;
}

export async function readMetrics(
  db: Database,
  queueStats: () => Promise<QueueStatsResult>,
): Promise<Metrics> {
  const window = `${metricsWindowMinutes} minutes`;
  const [counts, throughput, latency, queues] = await Promise.all([
    db.pool.query<{ status: string; segment: string; count: number }>(
      'select status, segment, count(*)::int as count from orders group by status, segment order by status, segment',
    ),
    db.pool.query<{ minute: string; count: number }>(
      `select to_json(date_trunc('minute', priced_at)) #>> '{}' as minute, count(*)::int as count
         from orders where priced_at > now() - $1::interval group by 1 order by 1`,
      [window],
    ),
    db.pool.query<{ segment: string; count: number; p50: number | null; p95: number | null }>(
      // Nearest rank (percentile_disc), the one percentile mes-e2e's gate holds budgets to: the panel
      // and the gate give the same p95 of the same orders.
      `select segment, count(*)::int as count,
              percentile_disc(0.5) within group (order by (extract(epoch from priced_at - created_at) * 1000)::float8) as p50,
              percentile_disc(0.95) within group (order by (extract(epoch from priced_at - created_at) * 1000)::float8) as p95
         from orders where status = 'priced' and priced_at > now() - $1::interval group by segment`,
      [window],
    ),
    queueStats(),
  ]);
  const createdToPricedMs: Metrics['latency']['createdToPricedMs'] = {
    b2c: { count: 0, p50: null, p95: null },
    b2b: { count: 0, p50: null, p95: null },
  };
  for (const row of latency.rows) {
    createdToPricedMs[row.segment] = {
      count: row.count,
      p50: row.p50 === null ? null : Math.round(row.p50),
      p95: row.p95 === null ? null : Math.round(row.p95),
    };
  }
  return {
    generatedAt: new Date().toISOString(),
    orders: {
      total: counts.rows.reduce((sum, row) => sum + row.count, 0),
      byStatusAndSegment: counts.rows,
    },
    throughput: { windowMinutes: metricsWindowMinutes, pricedPerMinute: throughput.rows },
    latency: { windowMinutes: metricsWindowMinutes, createdToPricedMs },
    queues,
  };
}
