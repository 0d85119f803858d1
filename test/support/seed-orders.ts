// Seeds MES with many orders straight into its table (one insert, generate_series), for the tests
// and benchmarks that need a big order history: one a second going back in time, mixed states and segments.
import type pg from 'pg';

export async function seedMesOrders(db: pg.Client, count: number): Promise<void> {
  await db.query(
    `insert into mes.orders (id, customer_id, segment, currency, lines, channel, status, total_cents, created_at, received_at, priced_at)
     select gen_random_uuid(), 'customer-' || (n % 5000), case when n % 3 = 0 then 'b2c' else 'b2b' end, 'EUR',
            '[{"sku":"LAMP","quantity":1}]', 'seed',
            (array['received','pricing','priced','pricing_failed'])[1 + n % 4], 3450,
            now() - make_interval(secs => n), now() - make_interval(secs => n), now() - make_interval(secs => n - 1)
       from generate_series(1, $1::int) as n`,
    [count],
  );
  await db.query('analyze mes.orders');
}
