// Creating and dropping a run's database survive a connection the server closes under the admin
// client (CI saw "Connection terminated unexpectedly" under load: a run's teardown then left its
// database, and a run's start failed): a real PostgreSQL behind a TCP proxy that cuts a connection
// at one of its queries, as a dropped connection looks to the client.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { createDatabase, dropDatabase } from '../src/environment/isolation.ts';
import { infrastructureVariables } from './support/infrastructure.ts';

const databaseUrl = process.env[infrastructureVariables.database] ?? '';

/** Forwards to PostgreSQL; the first `cut` connections are closed when the client sends its `atQuery`th query. */
async function cuttingProxy(
  cut: number,
  atQuery = 1,
): Promise<{ url: string; cutSoFar: () => number; server: Server }> {
  const target = new URL(databaseUrl);
  let cutSoFar = 0;
  const server = createServer((client: Socket) => {
    const cutThis = cutSoFar < cut;
    let queries = 0;
    const upstream = connect(Number(target.port), target.hostname);
    client.on('data', (chunk: Buffer) => {
      // A simple query ('Q') or the parse of an extended one ('P'); the start-up and password
      // messages come first and begin otherwise.
      if (chunk[0] === 0x51 || chunk[0] === 0x50) queries += 1;
      if (cutThis && queries === atQuery) {
        cutSoFar += 1;
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    for (const socket of [client, upstream]) socket.on('error', () => {});
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(typeof address === 'object' && address ? address.port : 0);
  return { url: url.href, cutSoFar: () => cutSoFar, server };
}

/** The database's comment (its run labels), or undefined when there is no such database. */
async function commentOf(name: string): Promise<string | null | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ comment: string | null }>(
      "select shobj_description(oid, 'pg_database') as comment from pg_database where datname = $1",
      [name],
    );
    return rows[0]?.comment;
  } finally {
    await client.end();
  }
}

const exists = async (name: string) => (await commentOf(name)) !== undefined;

describe('creating a run database', { timeout: 60_000 }, () => {
  const servers: Server[] = [];
  after(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

  it('finishes on a new connection what a cut one had started: the database and its labels', async () => {
    const name = `create_${randomBytes(4).toString('hex')}`;
    // The third query is the labels' comment: the database was created before the cut.
    const proxy = await cuttingProxy(1, 3);
    servers.push(proxy.server);
    await createDatabase(proxy.url, name, { 'org.mes-e2e.run': 'cut-once' });
    assert.equal(proxy.cutSoFar(), 1, 'the first connection was cut');
    assert.equal(await commentOf(name), JSON.stringify({ 'org.mes-e2e.run': 'cut-once' }));
    assert.equal(await dropDatabase(databaseUrl, name), true);
  });
});

describe('dropping a run database', { timeout: 60_000 }, () => {
  const servers: Server[] = [];
  after(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

  it('tries again on a new connection when the server closes one mid-way, and drops it', async () => {
    const name = `drop_${randomBytes(4).toString('hex')}`;
    await createDatabase(databaseUrl, name);
    const proxy = await cuttingProxy(1);
    servers.push(proxy.server);
    assert.equal(await dropDatabase(proxy.url, name), true, 'there was a database to drop');
    assert.equal(proxy.cutSoFar(), 1, 'the first connection was cut');
    assert.equal(await exists(name), false);
  });

  it('gives up after three cut connections, with the error that cut them', async () => {
    const name = `drop_${randomBytes(4).toString('hex')}`;
    await createDatabase(databaseUrl, name);
    const proxy = await cuttingProxy(Number.POSITIVE_INFINITY);
    servers.push(proxy.server);
    await assert.rejects(dropDatabase(proxy.url, name), /Connection terminated/);
    assert.equal(proxy.cutSoFar(), 3);
    assert.equal(await exists(name), true, 'nothing was dropped');
    assert.equal(await dropDatabase(databaseUrl, name), true);
  });
});
