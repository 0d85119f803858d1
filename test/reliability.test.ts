// What the pipeline promises when parts of it fail: nothing lost, nothing applied twice.
// These tests stop the broker, so their environment brings a RabbitMQ container of its own; the
// broker and the services are stopped, killed and started through the product's handles.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { defaultImages } from '../src/config/images.ts';
import type { ComponentName } from '../src/config/schema.ts';
import { createCrmClient } from '../src/drivers/crm-client.ts';
import { databaseOf, httpBaseUrlOf } from '../src/drivers/endpoints.ts';
import { createMesClient } from '../src/drivers/mes-client.ts';
import type { EnvironmentRecord } from '../src/environment/environment.ts';
import { eventually } from '../src/wait/eventually.ts';
import { dockerMissing, skipWhenMissing } from './support/needs.ts';
import { placeOrders } from './support/place-orders.ts';
import { serviceLog } from './support/service-log.ts';
import { apiKey, handleOf, startTestEnvironment, type TestEnvironment } from './support/test-environment.ts';

const skip = skipWhenMissing('reliability tests', await dockerMissing());

describe('reliability', { timeout: 300_000, skip }, () => {
  let environment: TestEnvironment;
  let record: EnvironmentRecord;
  let db: pg.Client;
  const handle = (component: ComponentName) => handleOf(record, component);
  const crm = () => createCrmClient(httpBaseUrlOf(record.endpoints, 'crm'));
  const orderIn = (status: string, id: string, within = 15_000) =>
    createMesClient(httpBaseUrlOf(record.endpoints, 'mes')).waitForStatus(id, status, { within });

  before(async () => {
    environment = await startTestEnvironment({
      components: {
        rabbitmq: { source: 'container', image: defaultImages.rabbitmq },
        // Slow enough that the order in which pricing takes its requests shows in priced_at.
        pricing: { source: 'process', env: { PRICING_COST_MS: '50' } },
      },
    });
    record = environment.record;
    db = new pg.Client({ connectionString: databaseOf(record.endpoints).databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db?.end();
    await environment?.stop();
  });

  const placeMixedOrders = async (count: number, customer: string) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const key = apiKey(record, i % 2 === 0 ? 'b2c-web' : 'b2b-portal');
      const res = await crm().placeOrder({
        version: 'v2',
        apiKey: key,
        body: {
          customer: { id: customer },
          lines: [{ sku: 'CHAIR-PINE', quantity: i + 1 }],
          currency: 'EUR',
        },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      ids.push((res.body as { id: string }).id);
    }
    return ids;
  };

  const expectEachPricedOnce = async (ids: readonly string[], customer: string) => {
    for (const id of ids) await orderIn('priced', id, 60_000);
    const { rows } = await db.query('select id from mes.orders where customer_id = $1 order by id', [
      customer,
    ]);
    assert.deepEqual(
      rows.map((r) => r.id),
      [...ids].sort(),
      'MES holds each order exactly once, and no other',
    );
  };

  it('accepts orders while the broker is down and delivers each exactly once when it is back', async () => {
    // Queued messages stay in the container's volume while the broker is down.
    await handle('rabbitmq').stop();
    await eventually(
      async () =>
        (await fetch(`${httpBaseUrlOf(record.endpoints, 'crm')}/health/ready`)).status === 503
          ? true
          : undefined,
      { within: 15_000, description: 'CRM reports the broker down' },
    );
    const ids = await placeMixedOrders(6, 'broker-down');
    const pending = await db.query('select count(*)::int as n from crm.outbox where sent_at is null');
    assert.equal(pending.rows[0].n, 6, 'the orders wait in the outbox');
    const inMes = await db.query(
      "select count(*)::int as n from mes.orders where customer_id = 'broker-down'",
    );
    assert.equal(inMes.rows[0].n, 0);

    await handle('rabbitmq').start();
    await expectEachPricedOnce(ids, 'broker-down');
    // The CRM marks a message sent once the broker confirms it, which may come after MES priced it.
    await eventually(
      async () => {
        const unsent = await db.query('select count(*)::int as n from crm.outbox where sent_at is null');
        assert.equal(unsent.rows[0].n, 0);
        return true;
      },
      { within: 10_000, description: 'the outbox emptied' },
    );
    for (const service of ['crm', 'mes'] as const) {
      assert.ok(
        serviceLog(record, service).some((e) => e.msg === 'broker connection lost; reconnecting'),
        `${service} saw the outage`,
      );
    }
  });

  it('loses nothing when the CRM is killed after commit and before publish', async () => {
    await handle('rabbitmq').stop();
    const ids = await placeMixedOrders(4, 'crm-killed');
    await handle('crm').kill();
    await handle('rabbitmq').start();
    await handle('crm').start();
    await expectEachPricedOnce(ids, 'crm-killed');
  });

  it('loses and duplicates nothing when MES is killed mid-consume', async () => {
    // Only what MES logs from here on: its earlier 'order received' lines are of other tests' orders.
    const logsBefore = serviceLog(record, 'mes').length;
    const placing = placeMixedOrders(20, 'mes-killed');
    await eventually(
      () =>
        serviceLog(record, 'mes')
          .slice(logsBefore)
          .find((e) => e.msg === 'order received' && typeof e.orderId === 'string'),
      {
        within: 20_000,
        description: 'MES consuming',
      },
    );
    await handle('mes').kill();
    const ids = await placing;
    await handle('mes').start();
    await expectEachPricedOnce(ids, 'mes-killed');
  });

  it('keeps requests queued while pricing is down and prices them when it is back', async () => {
    await handle('pricing').kill();
    const ids = await placeMixedOrders(3, 'pricing-down');
    for (const id of ids) await orderIn('pricing', id);
    await handle('pricing').start();
    await expectEachPricedOnce(ids, 'pricing-down');
  });

  it('prices a new B2C order ahead of a backlog of B2B orders', async () => {
    await handle('pricing').kill();
    const b2b = await placeOrders(crm(), 6, {
      apiKey: apiKey(record, 'b2b-portal'),
      customer: 'backlog',
      sku: 'DESK-OAK',
    });
    for (const id of b2b) await orderIn('pricing', id);
    const [b2c = ''] = await placeOrders(crm(), 1, {
      apiKey: apiKey(record, 'b2c-web'),
      customer: 'vip',
      sku: 'LAMP',
    });
    await orderIn('pricing', b2c);
    await handle('pricing').start();
    await orderIn('priced', b2c);
    for (const id of b2b) await orderIn('priced', id, 30_000);
    const { rows } = await db.query(
      `select id, segment from mes.orders where customer_id in ('backlog', 'vip') order by priced_at, id`,
    );
    assert.equal(rows[0]?.segment, 'b2c', `priced in order: ${rows.map((r) => r.segment).join(', ')}`);
  });

  it('stops every service gracefully on SIGTERM with exit code 0', async () => {
    const serviceNames = ['crm', 'mes', 'pricing'];
    const logsBefore = serviceNames.map((service) => serviceLog(record, service).length);
    const endings = await Promise.all(serviceNames.map((service) => handle(service).stop()));
    assert.deepEqual(endings, ['exit code 0', 'exit code 0', 'exit code 0']);
    for (const [i, service] of serviceNames.entries())
      assert.ok(
        serviceLog(record, service)
          .slice(logsBefore[i])
          .some((e) => e.msg === 'stopped'),
        `${service} logged stopped`,
      );
  });
});
