// What the analytics panel shows: orders by status and segment, throughput, created-to-priced latency,
// of every order or of the orders created since a given time (an operator's shift, a test's own orders).
import type { Database } from '../../runtime/database.ts';
import type { QueueStatsResult } from './queue-stats.ts';

export const metricsWindowMinutes = 15;

export interface Metrics {
  generatedAt: string;
  /** Only orders created at or after this time are counted; null: every order (latency: the window). */
  since: string | null;
  orders: { total: number; byStatusAndSegment: Array<{ status: string; segment: string; count: number }> };
  throughput: { windowMinutes: number; pricedPerMinute: Array<{ minute: string; count: number }> };
  latency: {
    windowMinutes: number;
    createdToPricedMs: Record<string, { count: number; p50: number | null; p95: number | null }>;
  };
  queues: QueueStatsResult;
}

export interface MetricsOptions {
  /** Count only the orders created at or after this time: an RFC 3339 date-time, kept to the microsecond. */
  since?: string;
  /**
   * The injected analytics bug (MES_FAULT=latency-from-receipt): created-to-priced measured from when
   * MES received the order instead of when the CRM created it, so the panel shows less than the truth.
   */
  latencyFromReceipt?: boolean;
}

export async function readMetrics(
  db: Database,
  queueStats: () => Promise<QueueStatsResult>,
  options: MetricsOptions = {},
): Promise<Metrics> {
  const window = `${metricsWindowMinutes} minutes`;
  const since = options.since ?? null;
  const createdSince = (param: string) =>
    `(${param}::timestamptz is null or created_at >= ${param}::timestamptz)`;
  // Throughput and latency keep to the window whether or not `since` narrows them further.
  const recent = `priced_at > now() - $1::interval and ${createdSince('$2')}`;
  const start = options.latencyFromReceipt ? 'received_at' : 'created_at';
  const createdToPriced = `(extract(epoch from priced_at - ${start}) * 1000)::float8`;
  const [counts, throughput, latency, queues] = await Promise.all([
    db.pool.query<{ status: string; segment: string; count: number }>(
      `select status, segment, count(*)::int as count from orders
        where ${createdSince('$1')} group by status, segment order by status, segment`,
      [since],
    ),
    db.pool.query<{ minute: string; count: number }>(
      `select to_json(date_trunc('minute', priced_at)) #>> '{}' as minute, count(*)::int as count
         from orders where ${recent} group by 1 order by 1`,
      [window, since],
    ),
    db.pool.query<{ segment: string; count: number; p50: number | null; p95: number | null }>(
      // Nearest rank (percentile_disc), the one percentile mes-e2e's gate holds budgets to: the panel
      // and the gate give the same p95 of the same orders.
      `select segment, count(*)::int as count,
              percentile_disc(0.5) within group (order by ${createdToPriced}) as p50,
              percentile_disc(0.95) within group (order by ${createdToPriced}) as p95
         from orders where status = 'priced' and ${recent} group by segment`,
      [window, since],
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
    since,
    orders: {
      total: counts.rows.reduce((sum, row) => sum + row.count, 0),
      byStatusAndSegment: counts.rows,
    },
    throughput: { windowMinutes: metricsWindowMinutes, pricedPerMinute: throughput.rows },
    latency: { windowMinutes: metricsWindowMinutes, createdToPricedMs },
    queues,
  };
}
