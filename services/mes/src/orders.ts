// MES order storage: recording orders idempotently, applying prices, and the keyset-paged order list.
import type { Database, Queryable } from '../../runtime/database.ts';
import type { OrderCreated, PricingResult } from '../../runtime/messages.ts';
import { enqueue } from '../../runtime/outbox.ts';
import { exchanges, priorityOf, routingKeys } from '../../runtime/topology.ts';

export const statuses = ['received', 'pricing', 'priced', 'pricing_failed'] as const;
export type OrderStatus = (typeof statuses)[number];

export interface MesOrder {
  id: string;
  customerId: string;
  segment: string;
  currency: string;
  lines: Array<{ sku: string; quantity: number }>;
  channel: string;
  status: OrderStatus;
  totalCents: number | null;
  failureReason: string | null;
  pricedBy: string | null;
  createdAt: string;
  receivedAt: string;
  pricingRequestedAt: string | null;
  pricedAt: string | null;
}

const columns = `id, customer_id as "customerId", segment, currency, lines, channel, status,
  total_cents::float8 as "totalCents", failure_reason as "failureReason", priced_by as "pricedBy",
  to_json(created_at) #>> '{}' as "createdAt", to_json(received_at) #>> '{}' as "receivedAt",
  to_json(pricing_requested_at) #>> '{}' as "pricingRequestedAt", to_json(priced_at) #>> '{}' as "pricedAt"`;

/**
 * Records an order and, in the same transaction, the request to price it. A redelivered or duplicated
 * order.created finds the row already there and changes nothing. Returns whether the order was new.
 */
export async function recordOrder(
  db: Database,
  order: OrderCreated,
  correlationId: string | undefined,
): Promise<boolean> {
  return db.transaction(async (client) => {
    const inserted = await client.query(
      `insert into orders (id, customer_id, segment, currency, lines, channel, correlation_id, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (id) do nothing`,
      [
        order.orderId,
        order.customerId,
        order.segment,
        order.currency,
        JSON.stringify(order.lines),
        order.channel,
        correlationId ?? null,
        order.createdAt,
      ],
    );
    if (inserted.rowCount === 0) return false;
    await enqueue(client, {
      exchange: exchanges.pricing,
      routingKey: routingKeys.pricingRequested,
      payload: {
        orderId: order.orderId,
        segment: order.segment,
        currency: order.currency,
        lines: order.lines,
      },
      options: {
        messageId: order.orderId,
        ...(correlationId ? { correlationId } : {}),
        priority: priorityOf(order.segment),
        type: 'pricing.requested',
      },
    });
    return true;
  });
}

/** Runs when the outbox relay has published pricing requests: those orders are now being priced. */
export async function markPricingRequested(client: Queryable, orderIds: readonly string[]): Promise<void> {
  await client.query(
    `update orders set status = 'pricing', pricing_requested_at = now()
      where id = any($1::uuid[]) and status = 'received'`,
    [orderIds],
  );
}

export type PricingApplied = 'applied' | 'duplicate' | 'unknown_order';

/** Applies a pricing result once; a repeated result for an order already priced changes nothing. */
export async function applyPricingResult(db: Database, result: PricingResult): Promise<PricingApplied> {
  const completed = result.status === 'completed';
  const updated = await db.pool.query(
    `update orders set status = $2, total_cents = $3, failure_reason = $4, priced_by = $5, priced_at = now(),
            pricing_requested_at = coalesce(pricing_requested_at, now())
      where id = $1 and status in ('received', 'pricing')`,
    [
      result.orderId,
      completed ? 'priced' : 'pricing_failed',
      completed ? result.totalCents : null,
      completed ? null : result.reason,
      result.pricedBy,
    ],
  );
  if (updated.rowCount === 1) return 'applied';
  const exists = await db.pool.query('select 1 from orders where id = $1', [result.orderId]);
  return exists.rowCount === 1 ? 'duplicate' : 'unknown_order';
}

export interface OrderFilters {
  status?: OrderStatus | undefined;
  segment?: string | undefined;
  customer?: string | undefined;
}

interface Cursor {
  createdAt: string;
  id: string;
}

export const encodeCursor = (cursor: Cursor) =>
  Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');

export function decodeCursor(value: string): Cursor {
  const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown;
  if (
    !Array.isArray(parsed) ||
    typeof parsed[0] !== 'string' ||
    typeof parsed[1] !== 'string' ||
    Number.isNaN(Date.parse(parsed[0]))
  ) {
    throw new TypeError('cursor is not one this API returned');
  }
  return { createdAt: parsed[0], id: parsed[1] };
}

/** Builds the newest-first page query; every filter combination is served by an index on (filter, created_at, id). */
export function orderPageQuery(
  filters: OrderFilters,
  after: Cursor | undefined,
  limit: number,
): { text: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    values.push(value);
    where.push(sql.replace('?', `$${values.length}`));
  };
  if (filters.status) add('status = ?', filters.status);
  if (filters.segment) add('segment = ?', filters.segment);
  if (filters.customer) add('customer_id = ?', filters.customer);
  if (after) {
    values.push(after.createdAt, after.id);
    where.push(`(created_at, id) < ($${values.length - 1}::timestamptz, $${values.length}::uuid)`);
  }
  values.push(limit + 1);
  return {
    text: `select ${columns} from orders ${where.length ? `where ${where.join(' and ')}` : ''}
            order by created_at desc, id desc limit $${values.length}`,
    values,
  };
}

export async function listOrders(
  db: Database,
  filters: OrderFilters,
  after: Cursor | undefined,
  limit: number,
): Promise<{ orders: MesOrder[]; nextCursor: string | null }> {
  const { rows } = await db.pool.query<MesOrder>(orderPageQuery(filters, after, limit));
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { orders: page, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

export async function findOrder(db: Database, id: string): Promise<MesOrder | undefined> {
  const { rows } = await db.pool.query<MesOrder>(`select ${columns} from orders where id = $1`, [id]);
  return rows[0];
}
