// The read-only database probe the steps use: counts MES rows per order and unsent outbox
// messages on a real PostgreSQL with the services' own schemas, and cannot write.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { createDatabaseProbe, type DatabaseProbe } from '../src/drivers/database-probe.ts';
import { createIsolatedBackend, type IsolatedBackend } from './support/backend.ts';
import { type ReferenceStack, startReferenceStack } from './support/reference-stack.ts';

describe('database probe', { timeout: 120_000 }, () => {
  let backend: IsolatedBackend;
  let stack: ReferenceStack;
  let probe: DatabaseProbe;
  let admin: pg.Client;

  before(async () => {
    backend = await createIsolatedBackend('probe');
    stack = await startReferenceStack(backend, ['crm', 'mes']); // their migrations make the schemas
    await stack.stop();
    probe = createDatabaseProbe(backend.databaseUrl);
    admin = new pg.Client({ connectionString: backend.databaseUrl });
    await admin.connect();
  });
  after(async () => {
    await probe?.close();
    await admin?.end();
    await backend?.dispose();
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
