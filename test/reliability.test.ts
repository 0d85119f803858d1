// What the pipeline promises when parts of it fail: nothing lost, nothing applied twice.
// These tests stop the broker, so they bring a broker of their own.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createMesClient } from '../src/drivers/mes-client.ts';
import { eventually } from '../src/wait/eventually.ts';
import { createIsolatedBackend, type IsolatedBackend } from './support/backend.ts';
import { dockerMissing, skipWhenMissing } from './support/needs.ts';
import { type OwnBroker, startOwnBroker } from './support/own-broker.ts';
import {
  apiKeys,
  callCrm,
  placeOrders,
  type ReferenceStack,
  serviceEnv,
  startReferenceStack,
} from './support/reference-stack.ts';
import { type ServiceProcess, startService } from './support/service-process.ts';

const skip = skipWhenMissing('reliability tests', await dockerMissing());

describe('reliability', { timeout: 300_000, skip }, () => {
  let broker: OwnBroker;
  let backend: IsolatedBackend;
  let stack: ReferenceStack;
  let db: pg.Client;
  const crm = () => stack.crm ?? assert.fail('crm not started');
  const mes = () => stack.mes ?? assert.fail('mes not started');
  const orderIn = (status: string, id: string, within = 15_000) =>
    createMesClient(mes().url).waitForStatus(id, status, { within });

  before(async () => {
    broker = await startOwnBroker();
    backend = await createIsolatedBackend('reliability', { broker });
    stack = await startReferenceStack(backend, ['crm', 'mes', 'pricing']);
    db = new pg.Client({ connectionString: backend.databaseUrl });
    await db.connect();
  });
  after(async () => {
    await db?.end();
    await stack?.stop();
    await backend?.dispose();
    await broker?.dispose();
  });

  const placeMixedOrders = async (count: number, customer: string, crmService = crm()) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const key = i % 2 === 0 ? apiKeys.b2cWeb.key : apiKeys.b2bPortal.key;
      const res = await callCrm(crmService, 'POST', '/v2/orders', {
        key,
        body: {
          customer: { id: customer },
          lines: [{ sku: 'CHAIR-PINE', quantity: i + 1 }],
          currency: 'EUR',
        },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      ids.push(res.body.id as string);
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
    await broker.stopApp();
    await eventually(
      async () => ((await fetch(`${crm().url}/health/ready`)).status === 503 ? true : undefined),
      { within: 15_000, description: 'CRM reports the broker down' },
    );
    const ids = await placeMixedOrders(6, 'broker-down');
    const pending = await db.query('select count(*)::int as n from crm.outbox where sent_at is null');
    assert.equal(pending.rows[0].n, 6, 'the orders wait in the outbox');
    const inMes = await db.query(
      "select count(*)::int as n from mes.orders where customer_id = 'broker-down'",
    );
    assert.equal(inMes.rows[0].n, 0);

    await broker.startApp();
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
    for (const service of [crm(), mes()]) {
      assert.ok(
        service.logs.some((e) => e.msg === 'broker connection lost; reconnecting'),
        `${service.name} saw the outage`,
      );
    }
  });

  it('loses nothing when the CRM is killed after commit and before publish', async () => {
    await broker.stopApp();
    const ids = await placeMixedOrders(4, 'crm-killed');
    await crm().kill();
    await broker.startApp();
    stack.crm = await startService('crm', serviceEnv('crm', backend));
    await expectEachPricedOnce(ids, 'crm-killed');
  });

  it('loses and duplicates nothing when MES is killed mid-consume', async () => {
    // Only what MES logs from here on: its earlier 'order received' lines are of other tests' orders.
    const logsBefore = mes().logs.length;
    const placing = placeMixedOrders(20, 'mes-killed');
    await eventually(
      () =>
        mes()
          .logs.slice(logsBefore)
          .find((e) => e.msg === 'order received' && typeof e.orderId === 'string'),
      {
        within: 20_000,
        description: 'MES consuming',
      },
    );
    await mes().kill();
    const ids = await placing;
    stack.mes = await startService('mes', serviceEnv('mes', backend));
    await expectEachPricedOnce(ids, 'mes-killed');
  });

  it('keeps requests queued while pricing is down and prices them when it is back', async () => {
    await stack.pricing?.kill();
    const ids = await placeMixedOrders(3, 'pricing-down');
    for (const id of ids) await orderIn('pricing', id);
    stack.pricing = await startService('pricing', serviceEnv('pricing', backend));
    await expectEachPricedOnce(ids, 'pricing-down');
  });

  it('prices a new B2C order ahead of a backlog of B2B orders', async () => {
    await stack.pricing?.kill();
    const b2b = await placeOrders(crm(), 6, {
      key: apiKeys.b2bPortal.key,
      customer: 'backlog',
      sku: 'DESK-OAK',
    });
    for (const id of b2b) await orderIn('pricing', id);
    const b2c = await callCrm(crm(), 'POST', '/v2/orders', {
      key: apiKeys.b2cWeb.key,
      body: { customer: { id: 'vip' }, lines: [{ sku: 'LAMP', quantity: 1 }], currency: 'EUR' },
    });
    await orderIn('pricing', b2c.body.id as string);
    stack.pricing = await startService('pricing', serviceEnv('pricing', backend, { PRICING_COST_MS: '50' }));
    await orderIn('priced', b2c.body.id as string);
    for (const id of b2b) await orderIn('priced', id, 30_000);
    const { rows } = await db.query(
      `select id, segment from mes.orders where customer_id in ('backlog', 'vip') order by priced_at, id`,
    );
    assert.equal(rows[0]?.segment, 'b2c', `priced in order: ${rows.map((r) => r.segment).join(', ')}`);
  });

  it('stops every service gracefully on SIGTERM with exit code 0', async () => {
    const services = [stack.crm, stack.mes, stack.pricing].filter(
      (s): s is ServiceProcess => s !== undefined,
    );
    const codes = await Promise.all(services.map((service) => service.stop()));
    assert.deepEqual(codes, [0, 0, 0]);
    for (const service of services)
      assert.ok(
        service.logs.some((e) => e.msg === 'stopped'),
        `${service.name} logged stopped`,
      );
  });
});
