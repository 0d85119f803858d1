// The whole reference pipeline on real RabbitMQ and PostgreSQL: CRM -> order.created -> MES ->
// pricing.requested -> pricing -> pricing.completed -> MES priced.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { type BusMessage, type BusObserver, observeBus } from '../src/drivers/bus-observer.ts';
import { createMesClient, type MesOrder } from '../src/drivers/mes-client.ts';
import { eventually } from '../src/wait/eventually.ts';
import { createIsolatedBackend, type IsolatedBackend } from './support/backend.ts';
import {
  apiKeys,
  callCrm,
  placeOrders,
  type ReferenceStack,
  serviceEnv,
  startReferenceStack,
} from './support/reference-stack.ts';
import { startService } from './support/service-process.ts';

describe('reference pipeline', { timeout: 180_000 }, () => {
  let backend: IsolatedBackend;
  let stack: ReferenceStack;
  let bus: BusObserver;
  const crm = () => stack.crm ?? assert.fail('crm not started');
  const mes = () => stack.mes ?? assert.fail('mes not started');
  const mesApi = () => createMesClient(mes().url);
  const priced = (id: string, status = 'priced') => mesApi().waitForStatus(id, status, { within: 15_000 });
  /** Waits until `count` messages seen on the bus match, and returns them. */
  const seenAtLeast = (
    count: number,
    match: (m: BusMessage) => boolean,
    within: number,
    description: string,
  ) =>
    eventually(
      () => {
        const found = bus.seen().filter(match);
        if (found.length >= count) return found;
        throw new Error(`${found.length} of ${count} seen`);
      },
      { within, description },
    );

  before(async () => {
    backend = await createIsolatedBackend('pipeline');
    stack = await startReferenceStack(backend, ['crm', 'mes', 'pricing']);
    bus = await observeBus(backend.amqpUrl);
  });
  after(async () => {
    await bus?.close();
    await stack?.stop();
    await backend?.dispose();
  });

  it('prices a B2C v2 order and a B2B v1 order with the right totals, each hop seen once', async () => {
    const b2c = await callCrm(crm(), 'POST', '/v2/orders', {
      key: apiKeys.b2cWeb.key,
      body: {
        customer: { id: 'anna' },
        lines: [
          { sku: 'CHAIR-OAK', quantity: 2 },
          { sku: 'LAMP', quantity: 1 },
        ],
        currency: 'EUR',
      },
    });
    const b2b = await callCrm(crm(), 'POST', '/v1/orders', {
      key: apiKeys.b2bPortal.key,
      body: { customerId: 'acme-gmbh', items: [{ productCode: 'DESK-OAK', qty: 10 }] },
    });
    assert.equal(b2c.status, 201);
    assert.equal(b2b.status, 201);
    const b2cId = b2c.body.id as string;
    const b2bId = b2b.body.orderId as string;

    const pricedB2c = await priced(b2cId);
    const pricedB2b = await priced(b2bId);
    assert.equal(pricedB2c.totalCents, 2 * 12_900 + 3_450);
    assert.equal(pricedB2c.currency, 'EUR');
    assert.equal(pricedB2b.totalCents, 10 * 42_750); // 45000 less the 5 % B2B discount
    for (const order of [pricedB2c, pricedB2b]) {
      const times = [order.createdAt, order.receivedAt, order.pricingRequestedAt, order.pricedAt].map((t) =>
        Date.parse(t ?? ''),
      );
      assert.ok(times.every(Number.isFinite), `every state has a timestamp: ${JSON.stringify(order)}`);
      const [created = 0, received = 0, , priced = 0] = times;
      assert.ok(created <= received && received <= priced, `states in order: ${JSON.stringify(order)}`);
    }

    for (const id of [b2cId, b2bId]) {
      // The observer's copy of pricing.completed travels on its own queue: it may land after MES's update.
      await bus.waitFor((m) => orderIdOf(m) === id && m.routingKey === 'pricing.completed', {
        within: 10_000,
        description: `the observer seeing pricing.completed of ${id}`,
      });
      const hops = bus
        .seen()
        .filter((m) => orderIdOf(m) === id)
        .map((m) => m.routingKey);
      assert.deepEqual(
        hops.filter((key) => key.startsWith('order.created')).length,
        1,
        `order.created once: ${hops}`,
      );
      assert.equal(
        hops.filter((key) => key === 'pricing.requested').length,
        1,
        `pricing.requested once: ${hops}`,
      );
      assert.equal(
        hops.filter((key) => key === 'pricing.completed').length,
        1,
        `pricing.completed once: ${hops}`,
      );
    }
    const request = bus.seen().find((m) => orderIdOf(m) === b2cId && m.routingKey === 'pricing.requested');
    assert.equal(request?.priority, 8);
    assert.equal(request?.correlationId, b2c.headers.get('x-correlation-id'));
  });

  it('marks an order with an unknown SKU pricing_failed with the reason', async () => {
    const res = await callCrm(crm(), 'POST', '/v2/orders', {
      key: apiKeys.b2cWeb.key,
      body: { customer: { id: 'bob' }, lines: [{ sku: 'SOFA-VELVET', quantity: 1 }], currency: 'PLN' },
    });
    const failed = await priced(res.body.id as string, 'pricing_failed');
    assert.match(failed.failureReason ?? '', /unknown SKU\(s\): SOFA-VELVET/);
    assert.equal(failed.totalCents, null);
  });

  it('ignores a duplicated order.created: one MES row, one pricing request', async () => {
    const res = await callCrm(crm(), 'POST', '/v2/orders', {
      key: apiKeys.b2cWeb.key,
      body: { customer: { id: 'dup' }, lines: [{ sku: 'LAMP', quantity: 2 }], currency: 'EUR' },
    });
    const id = res.body.id as string;
    await priced(id);
    const original = await bus.waitFor((m) => m.messageId === id && m.exchange === 'orders', {
      within: 5_000,
      description: 'original',
    });
    await bus.publish('orders', original.routingKey, Buffer.from(JSON.stringify(original.body)), {
      messageId: id,
      correlationId: original.correlationId,
      persistent: true,
      priority: 8,
    });
    await seenAtLeast(2, (m) => m.messageId === id && m.exchange === 'orders', 5_000, 'duplicate on the bus');
    await eventually(
      () => mes().logs.find((entry) => entry.orderId === id && entry.msg === 'duplicate order ignored'),
      { within: 10_000, description: 'MES consumed the duplicate' },
    );
    const rows = await query(backend, 'select count(*)::int as n from mes.orders where id = $1', [id]);
    assert.equal(rows[0]?.n, 1);
    assert.equal(
      bus.seen().filter((m) => orderIdOf(m) === id && m.routingKey === 'pricing.requested').length,
      1,
    );
  });

  it('dead-letters a poison message with a reason header and keeps consuming', async () => {
    await bus.publish('orders', 'order.created.b2c', Buffer.from('{"not": "an order"'), {
      messageId: 'poison-1',
    });
    await bus.publish('orders', 'order.created.b2b', Buffer.from(JSON.stringify({ orderId: 'nope' })), {
      messageId: 'poison-2',
    });
    const dead = await seenAtLeast(2, (m) => m.exchange === 'mes.orders.dead', 10_000, 'dead letters');
    const reasons = Object.fromEntries(
      dead.map((m) => [m.messageId, String(m.headers['x-rejection-reason'])]),
    );
    assert.match(reasons['poison-1'] ?? '', /not JSON/);
    assert.match(reasons['poison-2'] ?? '', /orderId/);
    // The management API refreshes queue figures every few seconds: wait for it to agree.
    await waitForQueueDepth(backend, 'mes.orders.dead', 2);
    const next = await callCrm(crm(), 'POST', '/v2/orders', {
      key: apiKeys.b2cWeb.key,
      body: { customer: { id: 'after-poison' }, lines: [{ sku: 'LAMP', quantity: 1 }], currency: 'EUR' },
    });
    await priced(next.body.id as string);
  });

  it('lists orders newest first with filters and keyset pages that neither skip nor repeat', async () => {
    const ids = await placeOrders(crm(), 5, {
      key: apiKeys.b2bPortal.key,
      customer: 'pager',
      sku: 'SHELF-OAK',
      quantity: (i) => i + 1,
    });
    for (const id of ids) await priced(id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      // MES answering anything but 200 fails the call.
      const page: { orders: MesOrder[]; nextCursor: string | null } = await mesApi().listOrders({
        customer: 'pager',
        limit: 2,
        ...(cursor ? { after: cursor } : {}),
      });
      seen.push(...page.orders.map((o) => o.id));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, [...ids].reverse());

    const filtered = await mesApi().listOrders({ status: 'priced', segment: 'b2b', limit: 200 });
    assert.ok(filtered.orders.length >= 5);
    assert.ok(filtered.orders.every((o) => o.status === 'priced' && o.segment === 'b2b'));
    await assert.rejects(mesApi().listOrders({ status: 'lost' }), /answered 400/);
  });

  it('spreads pricing work over every running pricing instance', async () => {
    const second = await startService(
      'pricing',
      serviceEnv('pricing', backend, { PRICING_INSTANCE: 'pricing-2', PRICING_COST_MS: '40' }),
    );
    try {
      // Listening is not consuming: the consumer attaches once the broker answers, a moment later.
      await eventually(
        () => second.logs.find((entry) => entry.msg === 'consuming' && entry.queue === 'pricing.requests'),
        { within: 15_000, description: 'pricing-2 consuming pricing.requests' },
      );
      const ids = await placeOrders(crm(), 12, {
        key: apiKeys.b2bPortal.key,
        customer: 'spread',
        sku: 'LAMP',
      });
      for (const id of ids) await priced(id);
      const rows = await query(
        backend,
        "select priced_by, count(*)::int as n from mes.orders where customer_id = 'spread' group by priced_by",
      );
      assert.equal(rows.length, 2, `both instances priced orders: ${JSON.stringify(rows)}`);
    } finally {
      assert.equal(await second.stop(), 0);
    }
  });

  it('never writes a password or an API key to the service logs', () => {
    const secrets = [
      new URL(backend.amqpUrl).password,
      new URL(backend.databaseUrl).password,
      ...Object.values(apiKeys).map((k) => k.key),
    ];
    for (const service of [stack.crm, stack.mes, stack.pricing]) {
      const text = JSON.stringify(service?.logs) + (service?.stderr.join('\n') ?? '');
      assert.ok((service?.logs.length ?? 0) > 5, `${service?.name} logged`);
      for (const secret of secrets)
        assert.ok(!text.includes(secret), `${service?.name} logs contain a secret`);
    }
  });

  it('reports orders by status and segment, latency percentiles and queue depths in /api/metrics', async () => {
    // The queue figures are the management API's samples (refreshed every second): pricing-2 of the
    // test before may still be counted as a consumer for a moment, so wait for the figures to settle.
    const body = await eventually(
      async () => {
        // MES answering anything but 200 fails the call.
        const metrics = (await mesApi().metrics()) as unknown as MetricsBody;
        assert.equal(metrics.queues.available, true);
        const byName = Object.fromEntries(metrics.queues.queues.map((q) => [q.name, q]));
        assert.deepEqual(
          [
            byName['mes.orders']?.consumers,
            byName['pricing.requests']?.consumers,
            byName['mes.orders.dead']?.messages,
          ],
          [1, 1, 2],
          'consumers of mes.orders and pricing.requests, dead letters of mes.orders',
        );
        return metrics;
      },
      { within: 15_000, description: 'queue figures in /api/metrics' },
    );
    const rows = await query(backend, 'select count(*)::int as n from mes.orders');
    assert.equal(body.orders.total, rows[0]?.n);
    assert.ok(body.orders.byStatusAndSegment.some((r) => r.status === 'pricing_failed' && r.count === 1));
    const pricedB2c = await query(
      backend,
      "select count(*)::int as n from mes.orders where status = 'priced' and segment = 'b2c'",
    );
    assert.equal(body.latency.createdToPricedMs.b2c?.count, pricedB2c[0]?.n);
    assert.ok(
      (body.latency.createdToPricedMs.b2c?.p95 ?? -1) >= (body.latency.createdToPricedMs.b2c?.p50 ?? 0),
    );
    assert.ok(body.throughput.pricedPerMinute.reduce((sum, m) => sum + m.count, 0) >= 9);
  });
});

interface MetricsBody {
  orders: {
    total: number;
    byStatusAndSegment: Array<{ status: string; segment: string; count: number }>;
  };
  latency: { createdToPricedMs: Record<string, { count: number; p50: number; p95: number }> };
  throughput: { pricedPerMinute: Array<{ count: number }> };
  queues: {
    available: boolean;
    queues: Array<{ name: string; consumers: number; messages: number }>;
  };
}

const orderIdOf = (message: BusMessage) => (message.body as { orderId?: unknown } | null)?.orderId;

async function query(
  backend: IsolatedBackend,
  sql: string,
  values: unknown[] = [],
): Promise<Array<Record<string, number>>> {
  const client = new pg.Client({ connectionString: backend.databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows;
  } finally {
    await client.end();
  }
}

function waitForQueueDepth(backend: IsolatedBackend, queue: string, depth: number): Promise<boolean> {
  return eventually(
    async () => {
      const response = await backend.management(
        `/queues/{vhost}/${encodeURIComponent(queue)}?columns=messages`,
      );
      const body = (await response.json()) as { messages?: number };
      if (body.messages === depth) return true;
      throw new Error(`${body.messages} messages`);
    },
    { within: 15_000, description: `${queue} holding ${depth} messages` },
  );
}
