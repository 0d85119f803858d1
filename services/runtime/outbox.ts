// Transactional outbox: messages are written in the same transaction as the state they announce,
// and a relay publishes them with publisher confirms, then marks them sent. At-least-once by design.
import type pg from 'pg';
import { retryWhileTransient } from './backoff.ts';
import type { Broker, OutgoingMessage } from './broker.ts';
import type { Database, Queryable } from './database.ts';
import type { Logger } from './logger.ts';

const notifyChannel = 'outbox_pending';

/** Adds a message to the outbox; call inside the transaction that makes the change it announces. */
export async function enqueue(client: Queryable, message: OutgoingMessage): Promise<void> {
  await client.query(
    `insert into outbox (exchange, routing_key, message_id, payload, options) values ($1, $2, $3, $4, $5)`,
    [message.exchange, message.routingKey, message.options.messageId, message.payload, message.options],
  );
  // Delivered at commit, so the relay wakes as soon as the row is visible.
  await client.query(`select pg_notify($1, '')`, [notifyChannel]);
}

interface OutboxRow {
  id: string;
  exchange: string;
  routing_key: string;
  message_id: string;
  payload: unknown;
  options: OutgoingMessage['options'];
}

export interface RelayOptions {
  db: Database;
  broker: Broker;
  log: Logger;
  batchSize?: number;
  /** How often to look for rows when no notification arrives (after a restart, a lost notification). */
  pollMs?: number;
  /** Runs in the transaction that marks rows sent (e.g. to move orders to the next state). */
  onPublished?: (client: pg.PoolClient, messageIds: readonly string[]) => Promise<void>;
  /** Runs once that transaction has committed (e.g. to tell watchers the orders changed). */
  onCommitted?: (messageIds: readonly string[]) => void;
}

export interface OutboxRelay {
  /** Publishes everything pending now; resolves to the number of messages sent. */
  flush(): Promise<number>;
  pending(): Promise<number>;
  stop(): Promise<void>;
}

export function startOutboxRelay(options: RelayOptions): OutboxRelay {
  const { db, broker, log, batchSize = 100, pollMs = 1_000 } = options;
  const stopped = new AbortController();
  let running: Promise<number> | undefined;
  let again = false;
  let listener: { client: pg.PoolClient; release: (destroy: boolean) => void } | undefined;

  async function publishBatch(): Promise<number> {
    const sent = await publishAndMarkSent();
    if (sent.length > 0) options.onCommitted?.(sent);
    return sent.length;
  }

  async function publishAndMarkSent(): Promise<string[]> {
    return db.transaction(async (client) => {
      const { rows } = await client.query<OutboxRow>(
        `select id, exchange, routing_key, message_id, payload, options from outbox
          where sent_at is null order by id limit $1 for update skip locked`,
        [batchSize],
      );
      if (rows.length === 0) return [];
      await broker.publish(
        rows.map((row) => ({
          exchange: row.exchange,
          routingKey: row.routing_key,
          payload: row.payload,
          options: row.options,
        })),
      );
      await client.query('update outbox set sent_at = now() where id = any($1::bigint[])', [
        rows.map((r) => r.id),
      ]);
      const messageIds = rows.map((row) => row.message_id);
      await options.onPublished?.(client, messageIds);
      return messageIds;
    });
  }

  async function drain(): Promise<number> {
    let total = 0;
    for (;;) {
      if (!broker.isConnected() || stopped.signal.aborted) return total;
      const sent = await publishBatch();
      total += sent;
      if (sent < batchSize) return total;
    }
  }

  function flush(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = drain()
      .catch((error: Error) => {
        log.warn({ err: error.message }, 'outbox relay could not publish; will retry');
        return 0;
      })
      .finally(() => {
        running = undefined;
        if (again && !stopped.signal.aborted) {
          again = false;
          void flush();
        }
      });
    return running;
  }

  /** One LISTEN connection at a time: a retry loop while connecting, a new loop only when a live one drops. */
  async function connectListener(): Promise<void> {
    const client = await db.pool.connect();
    let released = false;
    const release = (destroy: boolean) => {
      if (released) return;
      released = true;
      client.release(destroy);
    };
    client.on('notification', () => void flush());
    client.on('error', () => {
      release(true);
      if (listener?.client !== client) return; // still connecting: the retry loop owns what happens next
      listener = undefined;
      if (!stopped.signal.aborted) void keepListening();
    });
    try {
      await client.query(`listen ${notifyChannel}`);
    } catch (error) {
      release(true);
      throw error;
    }
    if (stopped.signal.aborted) return release(false);
    listener = { client, release };
    void flush();
  }

  function keepListening(): Promise<void> {
    return retryWhileTransient(connectListener, { isTransient: () => true, signal: stopped.signal }).catch(
      () => {},
    );
  }

  void keepListening();
  const timer = setInterval(() => void flush(), pollMs);

  return {
    flush,
    async pending() {
      const { rows } = await db.pool.query<{ count: string }>(
        'select count(*) from outbox where sent_at is null',
      );
      return Number(rows[0]?.count ?? 0);
    },
    async stop() {
      stopped.abort();
      clearInterval(timer);
      await running;
      listener?.release(false);
      listener = undefined;
    },
  };
}
