// CRM order storage: one internal order shape, written with its outbox message in one transaction.
import { createHash, randomUUID } from 'node:crypto';
import type { OutgoingMessage } from '../../runtime/broker.ts';
import type { Database, Queryable } from '../../runtime/database.ts';
import { enqueue } from '../../runtime/outbox.ts';
import { exchanges, priorityOf, routingKeys, type Segment } from '../../runtime/topology.ts';

export interface OrderLine {
  sku: string;
  quantity: number;
}

export interface Order {
  id: string;
  customerId: string;
  segment: Segment;
  currency: string;
  lines: OrderLine[];
  channel: string;
  apiVersion: string;
  correlationId: string;
  createdAt: Date;
}

export type NewOrder = Pick<Order, 'customerId' | 'currency' | 'lines'>;

export interface PlaceOrderRequest {
  order: NewOrder;
  segment: Segment;
  channel: string;
  apiVersion: string;
  correlationId: string;
  idempotencyKey?: string | undefined;
}

export class IdempotencyConflictError extends Error {
  readonly key: string;
  constructor(key: string) {
    super(`Idempotency-Key "${key}" was already used with a different request body`);
    this.name = 'IdempotencyConflictError';
    this.key = key;
  }
}

interface OrderRow {
  id: string;
  customer_id: string;
  segment: Segment;
  currency: string;
  lines: OrderLine[];
  channel: string;
  api_version: string;
  correlation_id: string;
  created_at: Date;
}

const toOrder = (row: OrderRow): Order => ({
  id: row.id,
  customerId: row.customer_id,
  segment: row.segment,
  currency: row.currency,
  lines: row.lines,
  channel: row.channel,
  apiVersion: row.api_version,
  correlationId: row.correlation_id,
  createdAt: row.created_at,
});

/** The message that announces an accepted order to the rest of the pipeline. */
export function orderCreatedMessage(order: Order): OutgoingMessage {
  return {
    exchange: exchanges.orders,
    routingKey: routingKeys.orderCreated(order.segment),
    payload: {
      orderId: order.id,
      customerId: order.customerId,
      segment: order.segment,
      currency: order.currency,
      lines: order.lines,
      channel: order.channel,
      createdAt: order.createdAt.toISOString(),
    },
    options: {
      messageId: order.id,
      correlationId: order.correlationId,
      priority: priorityOf(order.segment),
      type: 'order.created',
    },
  };
}

function requestHash(request: PlaceOrderRequest): string {
  return createHash('sha256')
    .update(JSON.stringify([request.apiVersion, request.order]))
    .digest('hex');
}

export async function placeOrder(
  db: Database,
  request: PlaceOrderRequest,
): Promise<{ order: Order; replayed: boolean }> {
  return db.transaction(async (client) => {
    const id = randomUUID();
    if (request.idempotencyKey !== undefined) {
      // A concurrent twin blocks here until the first commits, then sees the conflict and replays.
      const claimed = await client.query(
        `insert into idempotency_keys (channel, key, request_hash, order_id) values ($1, $2, $3, $4)
         on conflict do nothing`,
        [request.channel, request.idempotencyKey, requestHash(request), id],
      );
      if (claimed.rowCount === 0) return { order: await replay(client, request), replayed: true };
    }
    const { rows } = await client.query<OrderRow>(
      `insert into orders (id, customer_id, segment, currency, lines, channel, api_version, correlation_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8) returning *`,
      [
        id,
        request.order.customerId,
        request.segment,
        request.order.currency,
        JSON.stringify(request.order.lines),
        request.channel,
        request.apiVersion,
        request.correlationId,
      ],
    );
    const order = toOrder(rows[0] as OrderRow);
    await enqueue(client, orderCreatedMessage(order));
    return { order, replayed: false };
  });
}

async function replay(client: Queryable, request: PlaceOrderRequest): Promise<Order> {
  const { rows } = await client.query<OrderRow & { request_hash: string }>(
    `select o.*, k.request_hash from idempotency_keys k join orders o on o.id = k.order_id
      where k.channel = $1 and k.key = $2`,
    [request.channel, request.idempotencyKey],
  );
  const row = rows[0];
  if (!row || row.request_hash !== requestHash(request)) {
    throw new IdempotencyConflictError(request.idempotencyKey ?? '');
  }
  return toOrder(row);
}

export async function findOrder(db: Database, id: string, channel: string): Promise<Order | undefined> {
  const { rows } = await db.pool.query<OrderRow>('select * from orders where id = $1 and channel = $2', [
    id,
    channel,
  ]);
  return rows[0] ? toOrder(rows[0]) : undefined;
}
