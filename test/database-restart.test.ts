// The services ride out a PostgreSQL restart: they reconnect, messages that arrive meanwhile wait and are
// applied once the database is back, and new orders flow again. This test stops the database, so its
// environment brings a PostgreSQL container of its own, stopped and started through the product's handle.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { defaultImages } from '../src/config/images.ts';
import type { BusObserver } from '../src/drivers/bus-observer.ts';
import { createCrmClient } from '../src/drivers/crm-client.ts';
import { databaseOf, httpBaseUrlOf } from '../src/drivers/endpoints.ts';
import { createMesClient } from '../src/drivers/mes-client.ts';
import type { EnvironmentRecord } from '../src/environment/environment.ts';
import { eventually } from '../src/wait/eventually.ts';
import { dockerMissing, skipWhenMissing } from './support/needs.ts';
import { serviceLog } from './support/service-log.ts';
import { apiKey, handleOf, startTestEnvironment, type TestEnvironment } from './support/test-environment.ts';

const skip = skipWhenMissing('database restart tests', await dockerMissing());

describe('database restart', { timeout: 300_000, skip }, () => {
  let environment: TestEnvironment;
  let record: EnvironmentRecord;
  let bus: BusObserver;
  const priced = (id: string, within: number) =>
    createMesClient(httpBaseUrlOf(record.endpoints, 'mes')).waitForStatus(id, 'priced', { within });

  before(async () => {
    environment = await startTestEnvironment({
      components: { postgres: { source: 'container', image: defaultImages.postgres } },
    });
    record = environment.record;
    bus = await environment.observeBus();
  });
  after(async () => {
    await bus?.close();
    await environment?.stop();
  });

  it('applies orders that arrived while PostgreSQL was down, and takes new ones after', async () => {
    const database = handleOf(record, 'postgres');
    const startedBefore = await postmasterStart(record);
    // The container, its data and its port stay; only the server stops.
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
      () =>
        serviceLog(record, 'mes').some((entry) => entry.msg === 'dependency unavailable; retrying')
          ? true
          : undefined,
      { within: 30_000, description: 'MES retrying an order it cannot record while PostgreSQL is down' },
    );
    // Resolves once it accepts sessions again, on the same port.
    await database.start();
    for (const id of arrivedWhileDown) await priced(id, 60_000);

    await eventually(
      async () =>
        (await fetch(`${httpBaseUrlOf(record.endpoints, 'crm')}/health/ready`)).ok ? true : undefined,
      { within: 30_000, description: 'CRM ready again' },
    );
    const res = await createCrmClient(httpBaseUrlOf(record.endpoints, 'crm')).placeOrder({
      version: 'v2',
      apiKey: apiKey(record, 'b2c-web'),
      body: { customer: { id: 'after-restart' }, lines: [{ sku: 'LAMP', quantity: 2 }], currency: 'EUR' },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await priced((res.body as { id: string }).id, 30_000);
    assert.ok(
      (await postmasterStart(record)) > startedBefore,
      'PostgreSQL really restarted under the services',
    );
  });
});

async function postmasterStart(record: EnvironmentRecord): Promise<number> {
  const client = new pg.Client({ connectionString: databaseOf(record.endpoints).databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query('select extract(epoch from pg_postmaster_start_time()) as started');
    return Number(rows[0].started);
  } finally {
    await client.end();
  }
}
