// A big order history in MES's database, written straight into its table: what the seed's scale
// (100 000 orders) looks like to MES's order list, without pushing that many orders through the
// pipeline. The reference MES's schema; only for scenarios that measure MES at that scale.
import pg from 'pg';

/** How seeded orders are told from real ones: their channel. */
export const historyChannel = 'history';

/**
 * Makes MES's database hold at least `count` history orders: one a second going back in time from a
 * day ago (older than any order a scenario places), mixed states, segments and 5 000 customers. Adds
 * only what is missing, so scenarios of one run share one history. Returns how many it added.
 */
export async function seedOrderHistory(databaseUrl: string, count: number): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'mes-e2e history' });
  await client.connect();
  try {
    await client.query('begin');
    // One seeding at a time: two workers asking at once add the history once.
    await client.query("select pg_advisory_xact_lock(hashtext('mes-e2e order history'))");
    const { rows } = await client.query<{ n: number }>(
      'select count(*)::int as n from mes.orders where channel = $1',
      [historyChannel],
    );
    const missing = Math.max(0, count - (rows[0]?.n ?? 0));
    if (missing > 0) {
      const start = rows[0]?.n ?? 0;
      await client.query(
        `insert into mes.orders (id, customer_id, segment, currency, lines, channel, status, total_cents,
                                 failure_reason, created_at, received_at, pricing_requested_at, priced_at)
         select gen_random_uuid(), 'history-customer-' || (n % 5000), case when n % 3 = 0 then 'b2c' else 'b2b' end,
                'EUR', '[{"sku":"LAMP","quantity":1}]', $1, status,
                case when status = 'priced' then 3450 end,
                case when status = 'pricing_failed' then 'unknown SKU(s): LAMP-OLD' end,
                at, at, case when status <> 'received' then at end,
                case when status in ('priced', 'pricing_failed') then at + interval '1 second' end
           from (select n, now() - interval '1 day' - make_interval(secs => n) as at,
                        (array['received', 'pricing', 'priced', 'pricing_failed'])[1 + n % 4] as status
                   from generate_series($2::int + 1, $2::int + $3::int) as n) as history`,
        [historyChannel, start, missing],
      );
    }
    await client.query('commit');
    // The planner's statistics must know the table's size, or it plans for the empty table it saw.
    if (missing > 0) await client.query('analyze mes.orders');
    return missing;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}
