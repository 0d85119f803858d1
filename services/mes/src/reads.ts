// Where MES reads: its order list, its orders and its analytics come from the database's read replica
// while that streams, and from the primary (where every write goes) when it has none or it fails.
// Watches the replica's state and lag for the analytics panel, and holds the live feed's change
// events until the replica has the change, so that a page that reads again on one sees it.
import { setTimeout as pace } from 'node:timers/promises';
import type { Database } from '../../runtime/database.ts';
import type { Logger } from '../../runtime/logger.ts';

export type ReadSource = 'replica' | 'primary';

/** What the analytics panel says of the replica. */
export interface ReplicaStatus {
  /** none: MES has no read URL; streaming: reads go to it; down: it failed, reads go to the primary. */
  state: 'none' | 'streaming' | 'down';
  readsFrom: ReadSource;
  /**
   * How far the replica's replay is behind, as postgres_exporter defines it, on the replica's clock:
   * 0 while it has applied every WAL record it received, else the age of the last transaction it
   * applied. Null when it is not streaming.
   */
  lagMs: number | null;
  /** The highest lag seen since MES started (the panel shows it beside the current one). */
  maxLagMs: number | null;
  /** When the replica was last checked, and since when it is in this state. */
  checkedAt: string | null;
  since: string;
  /** Why it is down. */
  reason?: string;
}

export interface Reads {
  /** Runs a read on the replica while it streams, else (or when it fails there) on the primary. */
  run<T>(work: (db: Database) => Promise<T>): Promise<{ result: T; from: ReadSource }>;
  status(): ReplicaStatus;
  /** Resolves once the replica has replayed everything committed on the primary so far (at most `replayWaitMs`). */
  replayed(): Promise<void>;
  stop(): void;
}

export interface ReadsOptions {
  primary: Database;
  replica: Database | undefined;
  log: Logger;
  /** How often the replica's state and lag are checked. */
  checkEveryMs?: number;
  /** How long a change event waits for the replica before it goes out anyway. */
  replayWaitMs?: number;
  fault?: 'reads-on-primary' | 'no-replica-fallback' | undefined;
}

const lagSql = `select pg_is_in_recovery() as standby,
  pg_last_wal_replay_lsn()::text as replayed,
  (case when pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0
   else greatest(0, extract(epoch from now() - pg_last_xact_replay_timestamp()) * 1000) end)::float8 as lag_ms`;

/** A WAL position ("16/B374D848") as a number that compares. */
export function lsnValue(text: string): bigint {
  const [high = '0', low = '0'] = text.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

export function createReads(options: ReadsOptions): Reads {
  const { primary, replica, log, fault } = options;
  const checkEveryMs = options.checkEveryMs ?? 500;
  const replayWaitMs = options.replayWaitMs ?? 2_000;
  const now = () => new Date().toISOString();
  let status: ReplicaStatus = replica
    ? // Until the first check answers, reads go to the primary: the replica may still be starting.
      {
        state: 'down',
        readsFrom: 'primary',
        lagMs: null,
        maxLagMs: null,
        checkedAt: null,
        since: now(),
        reason: 'not checked yet',
      }
    : { state: 'none', readsFrom: 'primary', lagMs: null, maxLagMs: null, checkedAt: null, since: now() };
  let replayedLsn = 0n;
  const stopped = new AbortController();

  const becomeDown = (reason: string) => {
    if (status.state !== 'down') log.warn({ reason }, 'read replica down: reading from the primary');
    status = {
      ...status,
      state: 'down',
      readsFrom: fault === 'no-replica-fallback' ? 'replica' : 'primary',
      lagMs: null,
      checkedAt: now(),
      since: status.state === 'down' ? status.since : now(),
      reason,
    };
  };

  async function check(): Promise<void> {
    if (!replica) return;
    try {
      const { rows } = await replica.pool.query<{
        standby: boolean;
        replayed: string | null;
        lag_ms: number;
      }>(lagSql);
      const [row] = rows;
      if (!row?.standby || row.replayed === null) {
        becomeDown('the read URL is not a hot standby (pg_is_in_recovery() is false)');
        return;
      }
      replayedLsn = lsnValue(row.replayed);
      const lagMs = Math.round(row.lag_ms);
      if (status.state !== 'streaming') log.info({ lagMs }, 'read replica streaming: reading from it');
      status = {
        state: 'streaming',
        readsFrom: fault === 'reads-on-primary' ? 'primary' : 'replica',
        lagMs,
        maxLagMs: Math.max(status.maxLagMs ?? 0, lagMs),
        checkedAt: now(),
        since: status.state === 'streaming' ? status.since : now(),
      };
    } catch (error) {
      becomeDown((error as Error).message);
    }
  }

  // A steady pace, not a wait for something: the replica is checked until MES stops.
  const watching = replica
    ? (async () => {
        while (!stopped.signal.aborted) {
          await check();
          await pace(checkEveryMs, undefined, { signal: stopped.signal }).catch(() => {});
        }
      })()
    : Promise.resolve();
  watching.catch(() => {});

  let refreshing: Promise<void> | undefined;
  /** The replica's replay position, shared by every change that waits for it (one query at a time). */
  async function refreshReplayed(): Promise<void> {
    refreshing ??= (async () => {
      try {
        const { rows } = await (replica as Database).pool.query<{ lsn: string | null }>(
          'select pg_last_wal_replay_lsn()::text as lsn',
        );
        if (rows[0]?.lsn) replayedLsn = lsnValue(rows[0].lsn);
      } catch {
        // The watch says it is down soon enough; the change goes out at its deadline.
      } finally {
        refreshing = undefined;
      }
    })();
    await refreshing;
  }

  return {
    async run(work) {
      if (!replica || status.readsFrom === 'primary') return { result: await work(primary), from: 'primary' };
      try {
        return { result: await work(replica), from: 'replica' };
      } catch (error) {
        if (fault === 'no-replica-fallback') throw error;
        // Whatever failed on the replica is tried on the primary: a real fault of the query fails there too.
        becomeDown((error as Error).message);
        return { result: await work(primary), from: 'primary' };
      }
    },
    status: () => status,
    async replayed() {
      if (!replica || status.state !== 'streaming') return;
      const { rows } = await primary.pool.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn');
      const target = lsnValue(rows[0]?.lsn ?? '0/0');
      const deadline = Date.now() + replayWaitMs;
      while (replayedLsn < target && status.state === 'streaming' && Date.now() < deadline) {
        // Checked at a short pace while a change waits: the next check may already have it.
        await pace(10);
        await refreshReplayed();
      }
    },
    stop() {
      stopped.abort();
    },
  };
}
