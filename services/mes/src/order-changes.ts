// The MES's own feed of order changes (recorded, sent to pricing, priced), for the dashboard's live view.
// In-process: the reference MES runs as one instance; several instances would need a shared feed
// (PostgreSQL LISTEN/NOTIFY, for example).
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';

export interface OrderChange {
  ids: readonly string[];
  kind: 'recorded' | 'pricing' | 'priced';
}

type Listener = (change: OrderChange) => void;

export interface OrderChanges {
  publish(change: OrderChange): void;
  subscribe(listener: Listener): () => void;
}

export function createOrderChanges(): OrderChanges {
  const listeners = new Set<Listener>();
  return {
    publish(change) {
      if (change.ids.length === 0) return;
      for (const listener of listeners) listener(change);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** How often an idle stream sends a comment, so that proxies and browsers keep it open. */
const keepAliveMs = 15_000;

/**
 * GET /api/orders/events: server-sent events, one `orders` event per change with the ids and what
 * happened. The page re-reads its current page on them; the stream itself carries no order data.
 */
export function registerOrderEvents(app: FastifyInstance, changes: OrderChanges): void {
  const open = new Set<ServerResponse>();
  // An open stream would keep the server from closing: end them all when the MES stops.
  app.addHook('preClose', async () => {
    for (const stream of open) stream.end();
  });
  app.get('/api/orders/events', { schema: { hide: true } }, (request, reply) => {
    reply.hijack();
    const stream = reply.raw;
    stream.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    // Tells the browser how soon to reconnect after the MES restarts.
    stream.write('retry: 1000\n\n');
    open.add(stream);
    const unsubscribe = changes.subscribe((change) => {
      stream.write(`event: orders\ndata: ${JSON.stringify(change)}\n\n`);
    });
    const keepAlive = setInterval(() => stream.write(': keep-alive\n\n'), keepAliveMs);
    request.raw.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
      open.delete(stream);
    });
  });
}
