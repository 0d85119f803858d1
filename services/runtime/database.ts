// PostgreSQL access for a service that owns one schema: pool, plain-SQL migrations, transactions.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { retryWhileTransient } from './backoff.ts';
import type { Logger } from './logger.ts';

export type Queryable = Pick<pg.PoolClient, 'query'>;

export interface Database {
  readonly pool: pg.Pool;
  readonly schema: string;
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  isReachable(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Runs work on a checked-out client. A connection that drops while the client is out (between two
 * queries, say while a transaction waits on the broker) emits 'error' on the client, which the pool
 * only handles for idle clients: without this listener the process would crash. A broken client is
 * destroyed on release instead of going back to the pool.
 */
async function withClient<T>(
  pool: pg.Pool,
  log: Logger,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
    log.warn({ err: error.message }, 'database connection lost during work');
  };
  client.on('error', onError);
  try {
    return await work(client);
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/** How patient a pool is: a read replica's gives up sooner, since the primary can answer instead. */
export interface PoolTimings {
  connectionTimeoutMillis?: number;
  /** A query that has no answer by then fails on the client (a paused server never answers). */
  queryTimeoutMillis?: number;
}

export function openDatabase(url: string, schema: string, log: Logger, timings: PoolTimings = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    // Two connections stay open between bursts: opening one costs a backend process and an
    // authentication, which on a busy host took more than 5 s and failed orders with a 500.
    min: 2,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: timings.connectionTimeoutMillis ?? 10_000,
    ...(timings.queryTimeoutMillis === undefined ? {} : { query_timeout: timings.queryTimeoutMillis }),
    // Each service sees only its own schema unless it names another.
    options: `-c search_path=${schema}`,
  });
  // An idle client whose server went away must not crash the service; the next query reconnects.
  pool.on('error', (error) => log.warn({ err: error.message }, 'idle database connection lost'));

  return {
    pool,
    schema,
    transaction: (work) =>
      withClient(pool, log, async (client) => {
        await client.query('begin');
        try {
          const result = await work(client);
          await client.query('commit');
          return result;
        } catch (error) {
          await client.query('rollback').catch(() => {});
          throw error;
        }
      }),
    async isReachable() {
      try {
        await pool.query('select 1');
        return true;
      } catch {
        return false;
      }
    },
    close: () => pool.end(),
  };
}

/** The migrations every publishing service shares (the outbox table). */
export const runtimeMigrations = new URL('./migrations/', import.meta.url).pathname;

/** A database that does not exist (yet): at start, whoever provisions it may still be creating it. */
const isMissingDatabase = (error: unknown) => (error as { code?: string } | undefined)?.code === '3D000';

/**
 * Waits until the database accepts a session. A service may start beside its database (still
 * booting, not yet created, its host name not yet resolvable): it tries at a short, steady pace, so
 * that it is ready soon after the database is, and gives up after `waitMs` with the last error.
 */
export async function waitForDatabase(db: Database, log: Logger, waitMs: number): Promise<void> {
  let lastError: unknown;
  const deadline = AbortSignal.timeout(waitMs);
  try {
    await retryWhileTransient(() => db.pool.query('select 1'), {
      isTransient: (error) => isConnectionError(error) || isMissingDatabase(error),
      signal: deadline,
      initialMs: 100,
      maxMs: 500,
      onRetry: (error, attempt) => {
        lastError = error;
        if (attempt === 1) log.info({ err: (error as Error).message }, 'waiting for the database');
      },
    });
  } catch (error) {
    if (!deadline.aborted || lastError === undefined) throw error;
    throw new Error(
      `the database did not accept a session within ${waitMs} ms (STARTUP_WAIT_MS): ${(lastError as Error).message}`,
      { cause: lastError },
    );
  }
}

/**
 * Applies the *.sql files of the folders in file-name order, each once, under an advisory lock so
 * that several instances starting together apply them exactly once. Waits for the database first.
 */
export async function migrate(
  db: Database,
  folders: readonly string[],
  log: Logger,
  options: { waitMs: number },
): Promise<string[]> {
  await waitForDatabase(db, log, options.waitMs);
  const files = (
    await Promise.all(
      folders.map(async (folder) =>
        (
          await readdir(folder)
        )
          .filter((name) => name.endsWith('.sql'))
          .map((name) => ({ name, path: join(folder, name) })),
      ),
    )
  )
    .flat()
    .sort((a, b) => a.name.localeCompare(b.name));
  const applied: string[] = [];
  await withClient(db.pool, log, async (client) => {
    try {
      await client.query(`create schema if not exists ${db.schema}`);
      await client.query('select pg_advisory_lock(hashtext($1))', [`mes-e2e-migrations:${db.schema}`]);
      await client.query(
        'create table if not exists schema_migrations (name text primary key, applied_at timestamptz not null default now())',
      );
      const done = new Set(
        (await client.query<{ name: string }>('select name from schema_migrations')).rows.map((r) => r.name),
      );
      for (const { name: file, path } of files.filter(({ name }) => !done.has(name))) {
        const sql = await readFile(path, 'utf8');
        await client.query('begin');
        try {
          await client.query(sql);
          await client.query('insert into schema_migrations (name) values ($1)', [file]);
          await client.query('commit');
        } catch (error) {
          await client.query('rollback');
          throw new Error(`migration ${file} failed: ${(error as Error).message}`, { cause: error });
        }
        applied.push(file);
        log.info({ migration: file, schema: db.schema }, 'migration applied');
      }
    } finally {
      await client
        .query('select pg_advisory_unlock(hashtext($1))', [`mes-e2e-migrations:${db.schema}`])
        .catch(() => {});
    }
  });
  return applied;
}

/** True for errors that mean "the database is not there right now", as opposed to a bad query. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: string }).code ?? '';
  return (
    code.startsWith('08') || // connection exception class
    code === '57P01' || // admin shutdown
    code === '57P02' ||
    code === '57P03' || // cannot connect now (starting up)
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'].includes(code) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      error.message,
    )
  );
}
