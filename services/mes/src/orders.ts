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
      result.pricedBy ?? null,
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

const orderIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An id PostgreSQL's uuid type reads: with anything else the query fails instead of finding nothing. */
export const isOrderId = (value: unknown): value is string =>
  typeof value === 'string' && orderIdPattern.test(value);

/**
 * A timestamptz as to_json writes it (2026-05-01T10:20:30.123456+00:00), where encodeCursor took it
 * from. Narrower than Date.parse, which takes "1", hour 24, year 0 and offsets PostgreSQL refuses.
 */
const cursorTimePattern =
  /^((?!0000)\d{4}-\d{2}-\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?(?:Z|[+-](?:0\d|1[0-5]):[0-5]\d(?::[0-5]\d)?)$/;

function isCursorTime(value: unknown): value is string {
  const day = typeof value === 'string' ? cursorTimePattern.exec(value)?.[1] : undefined;
  if (day === undefined) return false;
  // Date rolls 2026-02-31 over into March, where PostgreSQL refuses it; month 13 is no date at all.
  const midnight = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(midnight.getTime()) && midnight.toISOString().startsWith(day);
}

export function decodeCursor(value: string): Cursor {
  const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown;
  if (!Array.isArray(parsed) || !isCursorTime(parsed[0]) || !isOrderId(parsed[1])) {
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
