// The whole reference pipeline on real RabbitMQ and PostgreSQL: CRM -> order.created -> MES ->
// pricing.requested -> pricing -> pricing.completed -> MES priced.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import amqp from 'amqplib';
import pg from 'pg';
import { queueFigures } from '../src/drivers/broker-queues.ts';
import {
  type BusMessage,
  type BusObserver,
  ObserverBlindError,
  observeBus,
} from '../src/drivers/bus-observer.ts';
import { createCrmClient } from '../src/drivers/crm-client.ts';
import { databaseOf, httpBaseUrlOf } from '../src/drivers/endpoints.ts';
import { startExtraInstance } from '../src/drivers/extra-instances.ts';
import { faultTargetNamed } from '../src/drivers/fault-targets.ts';
import { createMesClient, type MesOrder } from '../src/drivers/mes-client.ts';
import type { EnvironmentRecord } from '../src/environment/environment.ts';
import { faultTargetsOf } from '../src/environment/fault-targets.ts';
import { percentile } from '../src/gate/figures.ts';
import { eventually } from '../src/wait/eventually.ts';
import { placeOrders } from './support/place-orders.ts';
import { logEntries, serviceLog } from './support/service-log.ts';
import { apiKey, startTestEnvironment, type TestEnvironment } from './support/test-environment.ts';

describe('reference pipeline', { timeout: 180_000 }, () => {
  let environment: TestEnvironment;
  let record: EnvironmentRecord;
  let bus: BusObserver;
  const crm = () => createCrmClient(httpBaseUrlOf(record.endpoints, 'crm'));
  const mesApi = () => createMesClient(httpBaseUrlOf(record.endpoints, 'mes'));
  const key = (name: string) => apiKey(record, name);
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
    environment = await startTestEnvironment({
      components: { pricing: { source: 'process', env: { PRICING_COST_MS: '5' } } },
    });
    record = environment.record;
    bus = await environment.observeBus();
  });
  after(async () => {
    await bus?.close();
    await environment?.stop();
  });

  it('prices a B2C v2 order and a B2B v1 order with the right totals, each hop seen once', async () => {
    const b2c = await crm().placeOrder({
      version: 'v2',
      apiKey: key('b2c-web'),
      body: {
        customer: { id: 'anna' },
        lines: [
          { sku: 'CHAIR-OAK', quantity: 2 },
          { sku: 'LAMP', quantity: 1 },
        ],
        currency: 'EUR',
      },
    });
    const b2b = await crm().placeOrder({
      version: 'v1',
      apiKey: key('b2b-portal'),
      body: { customerId: 'acme-gmbh', items: [{ productCode: 'DESK-OAK', qty: 10 }] },
    });
    assert.equal(b2c.status, 201);
    assert.equal(b2b.status, 201);
    const b2cId = (b2c.body as { id: string }).id;
    const b2bId = (b2b.body as { orderId: string }).orderId;

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
    assert.equal(request?.correlationId, b2c.headers['x-correlation-id']);
  });

  it('marks an order with an unknown SKU pricing_failed with the reason', async () => {
    const [id = ''] = await placeOrders(crm(), 1, {
      apiKey: key('b2c-web'),
      customer: 'bob',
      sku: 'SOFA-VELVET',
      currency: 'PLN',
    });
    const failed = await priced(id, 'pricing_failed');
    assert.match(failed.failureReason ?? '', /unknown SKU\(s\): SOFA-VELVET/);
    assert.equal(failed.totalCents, null);
  });

  it('ignores a duplicated order.created: one MES row, one pricing request', async () => {
    const [id = ''] = await placeOrders(crm(), 1, {
      apiKey: key('b2c-web'),
      customer: 'dup',
      sku: 'LAMP',
      quantity: () => 2,
    });
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
      () =>
        serviceLog(record, 'mes').find(
          (entry) => entry.orderId === id && entry.msg === 'duplicate order ignored',
        ),
      { within: 10_000, description: 'MES consumed the duplicate' },
    );
    const rows = await query(record, 'select count(*)::int as n from mes.orders where id = $1', [id]);
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
    await waitForQueueDepth(record, 'mes.orders.dead', 2);
    const [next = ''] = await placeOrders(crm(), 1, {
      apiKey: key('b2c-web'),
      customer: 'after-poison',
      sku: 'LAMP',
    });
    await priced(next);
  });

  it('lists orders newest first with filters and keyset pages that neither skip nor repeat', async () => {
    const ids = await placeOrders(crm(), 5, {
      apiKey: key('b2b-portal'),
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
    // The product's scale-out: one more pricing process like the first, logging beside it.
    const second = await startExtraInstance(faultTargetNamed(faultTargetsOf(record), 'pricing'));
    try {
      // Running is not consuming: the consumer attaches once the broker answers, a moment later.
      await eventually(
        () =>
          logEntries(join(record.logDir, 'pricing-extra.log')).find(
            (entry) => entry.msg === 'consuming' && entry.queue === 'pricing.requests',
          ),
        { within: 15_000, description: 'the second pricing instance consuming pricing.requests' },
      );
      const ids = await placeOrders(crm(), 12, {
        apiKey: key('b2b-portal'),
        customer: 'spread',
        sku: 'LAMP',
      });
      for (const id of ids) await priced(id);
      const rows = await query(
        record,
        "select priced_by, count(*)::int as n from mes.orders where customer_id = 'spread' group by priced_by",
      );
      assert.equal(rows.length, 2, `both instances priced orders: ${JSON.stringify(rows)}`);
    } finally {
      assert.equal(await second.stop(), 'exit code 0');
    }
  });

  it('never writes a password or an API key to the service logs', () => {
    const { endpoints } = record;
    const secrets = [
      new URL(endpoints.rabbitmq.amqpUrl).password,
      new URL(databaseOf(endpoints).databaseUrl).password,
      ...endpoints.apiKeys.map((k) => k.key),
    ];
    // The files as the services wrote them (stdout and stderr): the product masks them only at the end.
    for (const service of record.processes) {
      const text = readFileSync(service.logFile, 'utf8');
      assert.ok(serviceLog(record, service.component).length > 5, `${service.component} logged`);
      for (const secret of secrets)
        assert.ok(!text.includes(secret), `${service.component} logs contain a secret`);
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
    const rows = await query(record, 'select count(*)::int as n from mes.orders');
    assert.equal(body.orders.total, rows[0]?.n);
    assert.ok(body.orders.byStatusAndSegment.some((r) => r.status === 'pricing_failed' && r.count === 1));
    const pricedB2c = await query(
      record,
      "select count(*)::int as n from mes.orders where status = 'priced' and segment = 'b2c'",
    );
    assert.equal(body.latency.createdToPricedMs.b2c?.count, pricedB2c[0]?.n);
    // One definition of a percentile: the panel's p50 and p95 are the gate's (nearest rank) of the same orders.
    const latencies = await query(
      record,
      "select extract(epoch from priced_at - created_at) * 1000 as ms from mes.orders where status = 'priced' and segment = 'b2c'",
    );
    const samples = latencies.map((row) => Number(row.ms));
    const shown = body.latency.createdToPricedMs.b2c;
    assert.ok(samples.length >= 2, `${samples.length} priced B2C orders`);
    assert.deepEqual(
      [shown?.p50, shown?.p95],
      [Math.round(percentile(samples, 50)), Math.round(percentile(samples, 95))],
      'the panel rounds to the millisecond',
    );
    assert.ok(body.throughput.pricedPerMinute.reduce((sum, m) => sum + m.count, 0) >= 9);
  });

  it('counts only the orders created since a time with ?since, and refuses a since that is no time', async () => {
    const times = await query(
      record,
      "select to_json(created_at) #>> '{}' as at, status, segment from mes.orders order by created_at",
    );
    const middle = Math.floor(times.length / 2);
    const since = String(times[middle]?.at);
    const body = (await mesApi().metrics({ since })) as unknown as MetricsBody & { since: string };
    assert.equal(Date.parse(body.since), Date.parse(since), 'the answer says what it counted from');
    // Microseconds: an order created in the same millisecond before `since` must not be counted.
    const expected = await query(
      record,
      'select count(*)::int as n from mes.orders where created_at >= $1::timestamptz',
      [since],
    );
    assert.equal(body.orders.total, expected[0]?.n);
    assert.ok(body.orders.total < times.length, `${body.orders.total} of ${times.length} orders`);
    const later = new Date(Date.now() + 60_000).toISOString();
    const none = (await mesApi().metrics({ since: later })) as unknown as MetricsBody;
    assert.deepEqual([none.orders.total, none.latency.createdToPricedMs.b2c?.count], [0, 0]);
    const refused = await fetch(`${httpBaseUrlOf(record.endpoints, 'mes')}/api/metrics?since=yesterday`);
    assert.equal(refused.status, 400);
    assert.match(((await refused.json()) as { message: string }).message, /since.*date-time/);
  });

  it("the bus observer declares nothing on a broker that is not the run's, and checks before declaring on the run's", async () => {
    const { amqpUrl } = record.endpoints.rabbitmq;
    const absent = `journey-observer-${Date.now()}`;
    const exists = async (exchange: string) => {
      const connection = await amqp.connect(amqpUrl);
      connection.on('error', () => {});
      try {
        const channel = await connection.createChannel();
        channel.on('error', () => {});
        return await channel.checkExchange(exchange).then(
          () => true,
          () => false,
        );
      } finally {
        await connection.close().catch(() => {});
      }
    };
    const { managementUrl = '', vhost } = record.endpoints.rabbitmq;
    const queues = async () => (await queueFigures(managementUrl, vhost)).map((q) => q.name).sort();
    const queuesBefore = await queues();
    const blind = await observeBus(amqpUrl, {
      bindings: [{ exchange: absent, bindingKey: '#', type: 'topic' }],
      mayDeclare: false,
      owner: "profile staging: every component is someone else's",
    });
    try {
      assert.match(blind.blind ?? '', /profile staging/);
      assert.equal(blind.since, undefined);
      await assert.rejects(
        blind.waitFor(() => true, { within: 5_000, description: 'anything' }),
        ObserverBlindError,
      );
      assert.equal(await exists(absent), false, 'no exchange declared');
      assert.deepEqual(await queues(), queuesBefore, 'no queue declared');
    } finally {
      await blind.close();
    }
    // An existing exchange is only checked: asserting "orders" as a fanout would close the channel.
    const own = await observeBus(amqpUrl, {
      bindings: [{ exchange: 'orders', bindingKey: '', type: 'fanout' }],
      mayDeclare: true,
      owner: 'the run',
    });
    assert.ok(own.isOpen() && own.since !== undefined && own.blind === undefined);
    await own.close();
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
  record: EnvironmentRecord,
  sql: string,
  values: unknown[] = [],
): Promise<Array<Record<string, number>>> {
  const client = new pg.Client({ connectionString: databaseOf(record.endpoints).databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows;
  } finally {
    await client.end();
  }
}

function waitForQueueDepth(record: EnvironmentRecord, queue: string, depth: number): Promise<boolean> {
  const { managementUrl = '', vhost } = record.endpoints.rabbitmq;
  return eventually(
    async () => {
      const messages = (await queueFigures(managementUrl, vhost)).find((q) => q.name === queue)?.messages;
      if (messages === depth) return true;
      throw new Error(`${messages} messages`);
    },
    { within: 15_000, description: `${queue} holding ${depth} messages` },
  );
}
