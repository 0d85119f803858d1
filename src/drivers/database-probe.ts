// Read-only looks into the pipeline's database, for what no API shows: how many rows MES holds for
// an order (exactly once, not just "found"), and messages a service's outbox has not yet published.
// Its sessions are read-only, so a step can never change what it checks.
import pg from 'pg';

export type OutboxOwner = 'crm' | 'mes';

export interface QueryRows {
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

/** How the database has read a table so far (cumulative counters, as its statistics last heard them). */
export interface TableScans {
  sequential: number;
  /** Scans through each of the table's indexes, by index name. */
  byIndex: Record<string, number>;
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
  /**
   * The table's sequential and index scans from PostgreSQL's statistics. Other sessions report theirs
   * when they go idle, up to about ten seconds later: compare two readings, and wait for the one after.
   */
  scansOf(schema: string, table: string): Promise<TableScans>;
  /** Where this database's write-ahead log is: written (a primary) or replayed (a standby), as an LSN. */
  walPosition(): Promise<string>;
  /** Whether this standby has replayed the log up to `lsn` (a primary's walPosition). */
  hasReplayed(lsn: string): Promise<boolean>;
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
    async scansOf(schema, table) {
      const { rows } = await pool.query<{
        sequential: string | null;
        by_index: Record<string, string> | null;
      }>(
        `select t.seq_scan as sequential,
                json_object_agg(i.indexrelname, i.idx_scan) filter (where i.indexrelname is not null) as by_index
           from pg_stat_user_tables t left join pg_stat_user_indexes i on i.relid = t.relid
          where t.schemaname = $1 and t.relname = $2
          group by t.seq_scan`,
        [schema, table],
      );
      const [row] = rows;
      if (!row) throw new Error(`the database has no table ${schema}.${table}`);
      return {
        sequential: Number(row.sequential ?? 0),
        byIndex: Object.fromEntries(Object.entries(row.by_index ?? {}).map(([name, n]) => [name, Number(n)])),
      };
    },
    async walPosition() {
      const { rows } = await pool.query<{ lsn: string }>(
        'select (case when pg_is_in_recovery() then pg_last_wal_replay_lsn() else pg_current_wal_lsn() end)::text as lsn',
      );
      return rows[0]?.lsn ?? '0/0';
    },
    async hasReplayed(lsn) {
      const { rows } = await pool.query<{ done: boolean | null }>(
        'select pg_last_wal_replay_lsn() >= $1::pg_lsn as done',
        [lsn],
      );
      return rows[0]?.done === true;
    },
    isReadOnly: async () =>
      (await pool.query('show transaction_read_only')).rows[0]?.transaction_read_only === 'on',
    close: () => pool.end(),
  };
}
