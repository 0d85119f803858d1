// The read-only database probe the steps use: counts MES rows per order and unsent outbox
// messages on a real PostgreSQL with the services' own schemas, and cannot write.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createDatabaseProbe, type DatabaseProbe } from '../src/drivers/database-probe.ts';
import { databaseOf } from '../src/drivers/endpoints.ts';
import { handleOf, startTestEnvironment, type TestEnvironment } from './support/test-environment.ts';

describe('database probe', { timeout: 120_000 }, () => {
  let environment: TestEnvironment;
  let probe: DatabaseProbe;
  let admin: pg.Client;

  before(async () => {
    environment = await startTestEnvironment(); // the services' migrations make the schemas
    const { record } = environment;
    // Stopped before the test writes rows of its own: the CRM would publish its outbox.
    for (const name of ['crm', 'mes', 'pricing'])
      assert.equal(await handleOf(record, name).stop(), 'exit code 0', `${name} stopped cleanly`);
    probe = createDatabaseProbe(databaseOf(record.endpoints).databaseUrl);
    admin = new pg.Client({ connectionString: databaseOf(record.endpoints).databaseUrl });
    await admin.connect();
  });
  after(async () => {
    await probe?.close();
    await admin?.end();
    await environment?.stop();
  });
  it('counts the rows MES holds for an order', async () => {
    const id = randomUUID();
    assert.equal(await probe.mesRowsOf(id), 0);
    await admin.query(
      `insert into mes.orders (id, customer_id, segment, currency, lines, channel, created_at)
       values ($1, 'probe', 'b2c', 'EUR', '[]', 'test', now())`,
      [id],
    );
    assert.equal(await probe.mesRowsOf(id), 1);
  });

  it('counts unsent outbox messages per service', async () => {
    const insert = (schema: string, sent: boolean) =>
      admin.query(
        `insert into ${schema}.outbox (exchange, routing_key, message_id, payload, options, sent_at)
         values ('orders', 'x', $1, '{}', '{}', $2)`,
        [randomUUID(), sent ? new Date() : null],
      );
    await insert('crm', false);
    await insert('crm', false);
    await insert('crm', true);
    await insert('mes', true);
    assert.equal(await probe.unsentOutbox('crm'), 2);
    assert.equal(await probe.unsentOutbox('mes'), 0);
  });

  it('runs read-only sessions, so a step can never change what it checks', async () => {
    assert.equal(await probe.isReadOnly(), true);
  });
});
