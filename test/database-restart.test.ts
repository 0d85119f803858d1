// The services ride out a PostgreSQL restart: they reconnect, messages that arrive meanwhile wait and are
// applied once the database is back, and new orders flow again. This test brings its own database.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { type BusObserver, observeBus } from '../src/drivers/bus-observer.ts';
import { createMesClient } from '../src/drivers/mes-client.ts';
import { eventually } from '../src/wait/eventually.ts';
import { createIsolatedBackend, type IsolatedBackend } from './support/backend.ts';
import { dockerMissing, skipWhenMissing } from './support/needs.ts';
import { type OwnDatabase, startOwnDatabase } from './support/own-database.ts';
import { apiKeys, callCrm, type ReferenceStack, startReferenceStack } from './support/reference-stack.ts';

const skip = skipWhenMissing('database restart tests', await dockerMissing());

describe('database restart', { timeout: 300_000, skip }, () => {
  let database: OwnDatabase;
  let backend: IsolatedBackend;
  let stack: ReferenceStack;
  let bus: BusObserver;
  const crm = () => stack.crm ?? assert.fail('crm not started');
  const mes = () => stack.mes ?? assert.fail('mes not started');
  const priced = (id: string, within: number) =>
    createMesClient(mes().url).waitForStatus(id, 'priced', { within });

  before(async () => {
    database = await startOwnDatabase();
    backend = await createIsolatedBackend('db_restart', { databaseAdminUrl: database.adminUrl });
    stack = await startReferenceStack(backend, ['crm', 'mes', 'pricing']);
    bus = await observeBus(backend.amqpUrl);
  });
  after(async () => {
    await bus?.close();
    await stack?.stop();
    await backend?.dispose();
    await database?.dispose();
  });

  it('applies orders that arrived while PostgreSQL was down, and takes new ones after', async () => {
    const startedBefore = await postmasterStart(backend);
    await database.stop();
    const arrivedWhileDown = Array.from({ length: 5 }, () => randomUUID());
    for (const orderId of arrivedWhileDown) {
      const body = {
        orderId,
        customerId: 'during-restart',
        segment: 'b2c',
        currency: 'EUR',
        lines: [{ sku: 'LAMP', quantity: 1 }],
        channel: 'test',
        createdAt: new Date().toISOString(),
      };
      await bus.publish('orders', 'order.created.b2c', Buffer.from(JSON.stringify(body)), {
        messageId: orderId,
        persistent: true,
      });
    }
    // MES takes them off the queue while it cannot write them, and holds them until it can.
    await eventually(
      () => (mes().logs.some((entry) => entry.msg === 'dependency unavailable; retrying') ? true : undefined),
      { within: 30_000, description: 'MES retrying an order it cannot record while PostgreSQL is down' },
    );
    await database.start();
    for (const id of arrivedWhileDown) await priced(id, 60_000);

    await eventually(async () => ((await fetch(`${crm().url}/health/ready`)).ok ? true : undefined), {
      within: 30_000,
      description: 'CRM ready again',
    });
    const res = await callCrm(crm(), 'POST', '/v2/orders', {
      key: apiKeys.b2cWeb.key,
      body: { customer: { id: 'after-restart' }, lines: [{ sku: 'LAMP', quantity: 2 }], currency: 'EUR' },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await priced(res.body.id as string, 30_000);
    assert.ok(
      (await postmasterStart(backend)) > startedBefore,
      'PostgreSQL really restarted under the services',
    );
  });
});

async function postmasterStart(backend: IsolatedBackend): Promise<number> {
  const client = new pg.Client({ connectionString: backend.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query('select extract(epoch from pg_postmaster_start_time()) as started');
    return Number(rows[0].started);
  } finally {
    await client.end();
  }
}
