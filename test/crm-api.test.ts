// The CRM's public API against real PostgreSQL and RabbitMQ: versions, validation, keys, limits, idempotency.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type BusMessage, type BusObserver, observeBus } from '../src/drivers/bus-observer.ts';
import { createIsolatedBackend, type IsolatedBackend } from './support/backend.ts';
import { apiKeys, callCrm, type ReferenceStack, startReferenceStack } from './support/reference-stack.ts';

describe('CRM API', { timeout: 120_000 }, () => {
  let backend: IsolatedBackend;
  let stack: ReferenceStack;
  let bus: BusObserver;
  const crm = () => stack.crm ?? assert.fail('crm not started');
  /** What the CRM published: the messages on the orders exchange. */
  const published = () => bus.seen().filter((m) => m.exchange === 'orders');

  before(async () => {
    backend = await createIsolatedBackend('crm_api');
    stack = await startReferenceStack(backend, ['crm']);
    bus = await observeBus(backend.amqpUrl);
  });
  after(async () => {
    await bus?.close();
    await stack?.stop();
    await backend?.dispose();
  });

  it('accepts a v2 order, answers 201 with the order, and publishes order.created once', async () => {
    const res = await callCrm(crm(), 'POST', '/v2/orders', {
      key: apiKeys.b2cWeb.key,
      body: { customer: { id: 'cust-v2' }, lines: [{ sku: 'CHAIR-OAK', quantity: 2 }], currency: 'USD' },
      headers: { 'x-correlation-id': 'corr-v2-1' },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual(res.body.customer, { id: 'cust-v2', segment: 'b2c' });
    assert.equal(res.body.currency, 'USD');
    assert.equal(res.headers.get('x-correlation-id'), 'corr-v2-1');
    assert.equal(res.headers.get('deprecation'), null);
    const id = res.body.id as string;
    const message = await bus.waitFor((m) => m.messageId === id, {
      within: 10_000,
      description: 'order.created',
    });
    assert.equal(message.routingKey, 'order.created.b2c');
    assert.equal(message.correlationId, 'corr-v2-1');
    assert.equal(message.priority, 8);
    assert.equal(message.deliveryMode, 2);
    assert.deepEqual(bodyOf(message).lines, [{ sku: 'CHAIR-OAK', quantity: 2 }]);

    const fetched = await callCrm(crm(), 'GET', `/v2/orders/${id}`, { key: apiKeys.b2cWeb.key });
    assert.equal(fetched.status, 200);
    assert.equal(fetched.body.id, id);
  });

  it('accepts a v1 order in the v1 shape with Deprecation, Sunset and successor Link headers', async () => {
    const res = await callCrm(crm(), 'POST', '/v1/orders', {
      key: apiKeys.b2bPortal.key,
      body: { customerId: 'cust-v1', items: [{ productCode: 'DESK-PINE', qty: 3 }] },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.segment, 'b2b');
    assert.deepEqual(res.body.items, [{ productCode: 'DESK-PINE', qty: 3 }]);
    assert.match(res.headers.get('deprecation') ?? '', /^@\d+$/);
    assert.ok(Date.parse(res.headers.get('sunset') ?? '') > Date.parse('2027-01-01'));
    assert.match(res.headers.get('link') ?? '', /<\/v2\/orders>; rel="successor-version"/);
    const message = await bus.waitFor((m) => m.messageId === res.body.orderId, {
      within: 10_000,
      description: 'v1 order',
    });
    assert.equal(message.routingKey, 'order.created.b2b');
    assert.equal(message.priority, 2);
    assert.equal(bodyOf(message).currency, 'EUR');
    const fetched = await callCrm(crm(), 'GET', `/v1/orders/${res.body.orderId}`, {
      key: apiKeys.b2bPortal.key,
    });
    assert.equal(fetched.status, 200);
    assert.ok(fetched.headers.get('sunset'));
  });

  it('rejects an invalid body with 400 listing every field error, and stores and publishes nothing', async () => {
    const before = published().length;
    const res = await callCrm(crm(), 'POST', '/v2/orders', {
      key: apiKeys.b2cWeb.key,
      body: { customer: {}, lines: [{ sku: 'chair oak', quantity: 0 }], currency: 'GBP', extra: true },
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'validation_failed');
    const fields = (res.body.details as Array<{ field: string }>).map((d) => d.field).sort();
    for (const expected of [
      'body.customer.id',
      'body.lines.0.sku',
      'body.lines.0.quantity',
      'body.currency',
    ]) {
      assert.ok(fields.includes(expected), `${expected} missing from ${fields.join(', ')}`);
    }
    const orders = await countOrders(backend);
    // A valid order afterwards is the next message: nothing was published for the invalid one.
    const ok = await callCrm(crm(), 'POST', '/v2/orders', {
      key: apiKeys.b2cWeb.key,
      body: { customer: { id: 'after-invalid' }, lines: [{ sku: 'LAMP', quantity: 1 }], currency: 'EUR' },
    });
    await bus.waitFor((m) => m.messageId === ok.body.id, { within: 10_000, description: 'valid order' });
    assert.equal(published().length, before + 1);
    assert.equal(await countOrders(backend), orders + 1);
  });

  it('rejects malformed JSON with 400', async () => {
    const response = await fetch(`${crm().url}/v2/orders`, {
      method: 'POST',
      headers: { 'x-api-key': apiKeys.b2cWeb.key, 'content-type': 'application/json' },
      body: '{"customer": ',
    });
    assert.equal(response.status, 400);
  });

  it('answers 401 for a missing or unknown API key', async () => {
    const body = { customer: { id: 'c' }, lines: [{ sku: 'LAMP', quantity: 1 }], currency: 'EUR' };
    const missing = await callCrm(crm(), 'POST', '/v2/orders', { body });
    assert.equal(missing.status, 401);
    assert.equal(missing.body.error, 'missing_api_key');
    const unknown = await callCrm(crm(), 'POST', '/v2/orders', { key: 'not-a-real-key-at-all', body });
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body.error, 'unknown_api_key');
  });

  it('answers 404 naming the supported versions for an unknown version', async () => {
    const res = await callCrm(crm(), 'POST', '/v3/orders', { key: apiKeys.b2cWeb.key, body: {} });
    assert.equal(res.status, 404);
    assert.equal(res.body.error, 'unknown_api_version');
    assert.deepEqual(res.body.supportedVersions, ['v1', 'v2']);
    assert.match(res.body.message as string, /v3.*v1, v2/);
  });

  it('does not show one API key the orders of another', async () => {
    const res = await callCrm(crm(), 'POST', '/v2/orders', {
      key: apiKeys.b2cWeb.key,
      body: { customer: { id: 'private' }, lines: [{ sku: 'LAMP', quantity: 1 }], currency: 'EUR' },
    });
    const other = await callCrm(crm(), 'GET', `/v2/orders/${res.body.id}`, { key: apiKeys.b2bPortal.key });
    assert.equal(other.status, 404);
  });

  it('replays the first answer for a retried Idempotency-Key and creates no second order', async () => {
    const body = { customer: { id: 'idem' }, lines: [{ sku: 'LAMP', quantity: 4 }], currency: 'EUR' };
    const headers = { 'idempotency-key': 'retry-123' };
    const first = await callCrm(crm(), 'POST', '/v2/orders', { key: apiKeys.b2cWeb.key, body, headers });
    const [second, third] = await Promise.all([
      callCrm(crm(), 'POST', '/v2/orders', { key: apiKeys.b2cWeb.key, body, headers }),
      callCrm(crm(), 'POST', '/v2/orders', { key: apiKeys.b2cWeb.key, body, headers }),
    ]);
    assert.equal(first.status, 201);
    assert.deepEqual(second.body, first.body);
    assert.deepEqual(third.body, first.body);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    const rows = await queryBackend(
      backend,
      "select count(*)::int as n from crm.orders where customer_id = 'idem'",
    );
    assert.equal(rows[0]?.n, 1);
    await bus.waitFor((m) => m.messageId === first.body.id, {
      within: 10_000,
      description: 'idempotent order',
    });
    assert.equal(published().filter((m) => bodyOf(m).customerId === 'idem').length, 1);

    const changed = await callCrm(crm(), 'POST', '/v2/orders', {
      key: apiKeys.b2cWeb.key,
      body: { ...body, lines: [{ sku: 'LAMP', quantity: 5 }] },
      headers,
    });
    assert.equal(changed.status, 422);
  });

  it('limits each API key on its own: 429 with Retry-After for the noisy key, others unaffected', async () => {
    const body = { customer: { id: 'noisy' }, lines: [{ sku: 'LAMP', quantity: 1 }], currency: 'EUR' };
    const answers = [];
    for (let i = 0; i < 4; i++)
      answers.push(await callCrm(crm(), 'POST', '/v2/orders', { key: apiKeys.partner.key, body }));
    assert.deepEqual(
      answers.map((a) => a.status),
      [201, 201, 201, 429],
    );
    const limited = answers[3];
    assert.ok(Number(limited?.headers.get('retry-after')) > 0, 'Retry-After');
    assert.equal(limited?.headers.get('x-ratelimit-limit'), '3');
    assert.equal(limited?.headers.get('x-ratelimit-remaining'), '0');
    assert.equal(limited?.body.error, 'rate_limited');
    assert.equal(answers[0]?.headers.get('x-ratelimit-remaining'), '2');
    const other = await callCrm(crm(), 'POST', '/v2/orders', { key: apiKeys.otherPartner.key, body });
    assert.equal(other.status, 201);
  });

  it('serves an OpenAPI document generated from the route schemas', async () => {
    const res = await callCrm(crm(), 'GET', '/openapi.json');
    assert.equal(res.status, 200);
    assert.equal(res.body.openapi, '3.1.0');
    const paths = res.body.paths as Record<
      string,
      Record<string, { deprecated?: boolean; requestBody?: unknown }>
    >;
    assert.ok(paths['/v2/orders']?.post?.requestBody, 'v2 POST documented with its body');
    assert.equal(paths['/v1/orders']?.post?.deprecated, true);
  });
});

const bodyOf = (message: BusMessage) => message.body as Record<string, unknown>;

async function queryBackend(backend: IsolatedBackend, sql: string): Promise<Array<Record<string, number>>> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: backend.databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

async function countOrders(backend: IsolatedBackend): Promise<number> {
  return (await queryBackend(backend, 'select count(*)::int as n from crm.orders'))[0]?.n ?? 0;
}
