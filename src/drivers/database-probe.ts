// Read-only looks into the pipeline's database, for what no API shows: how many rows MES holds for
// an order (exactly once, not just "found"), and messages a service's outbox has not yet published.
// Its sessions are read-only, so a step can never change what it checks.
import pg from 'pg';

export type OutboxOwner = 'crm' | 'mes';

export interface QueryRows {
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

export interface DatabaseProbe {
  /** How many rows MES's orders table holds with this id. */
  mesRowsOf(orderId: string): Promise<number>;
  /** Messages written to the service's outbox and not yet confirmed by the broker. */
  unsentOutbox(owner: OutboxOwner): Promise<number>;
  /**
   * Any query a scenario writes, in a read-only transaction that is rolled back, sent as one prepared
   * statement (so "select 1; commit; ..." cannot end the transaction): what it may not do, it cannot.
   */
  readOnlyQuery(text: string, values: readonly unknown[]): Promise<QueryRows>;
  /** Whether this probe's sessions refuse writes (they always should). */
  isReadOnly(): Promise<boolean>;
  close(): Promise<void>;
}

export function createDatabaseProbe(databaseUrl: string): DatabaseProbe {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 2,
    application_name: 'mes-e2e probe',
    connectionTimeoutMillis: 5_000,
    options: '-c default_transaction_read_only=on -c statement_timeout=5000',
  });
  // A probe outlives database restarts in reliability scenarios: a dropped idle client is not an error.
  pool.on('error', () => {});
  const count = async (sql: string, values: unknown[] = []) =>
    (await pool.query<{ n: number }>(sql, values)).rows[0]?.n ?? 0;
  return {
    mesRowsOf: (orderId) => count('select count(*)::int as n from mes.orders where id = $1::uuid', [orderId]),
    unsentOutbox: (owner) =>
      count(`select count(*)::int as n from ${owner === 'crm' ? 'crm' : 'mes'}.outbox where sent_at is null`),
    async readOnlyQuery(text, values) {
      const client = await pool.connect();
      try {
        await client.query('begin transaction read only');
        // queryMode 'extended' (pg 8.12+, not in @types/pg): the extended protocol, one statement only.
        const result = await client.query({
          text,
          values: [...values],
          queryMode: 'extended',
        } as pg.QueryConfig);
        return { columns: result.fields.map((field) => field.name), rows: result.rows };
      } finally {
        await client.query('rollback').catch(() => {});
        client.release();
      }
    },
    isReadOnly: async () =>
      (await pool.query('show transaction_read_only')).rows[0]?.transaction_read_only === 'on',
    close: () => pool.end(),
  };
}
