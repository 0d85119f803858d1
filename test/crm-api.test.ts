// The CRM's public API against real PostgreSQL and RabbitMQ: versions, validation, keys, limits, idempotency.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { BusMessage, BusObserver } from '../src/drivers/bus-observer.ts';
import {
  type ApiVersion,
  createCrmClient,
  type HttpAnswer,
  type PlaceOrderRequest,
} from '../src/drivers/crm-client.ts';
import { databaseOf, httpBaseUrlOf } from '../src/drivers/endpoints.ts';
import type { EnvironmentRecord } from '../src/environment/environment.ts';
import { apiKey, startTestEnvironment, type TestEnvironment } from './support/test-environment.ts';

describe('CRM API', { timeout: 120_000 }, () => {
  let environment: TestEnvironment;
  let record: EnvironmentRecord;
  let bus: BusObserver;
  const crm = () => createCrmClient(httpBaseUrlOf(record.endpoints, 'crm'));
  const key = (name: string) => apiKey(record, name);
  /** The CRM's answer with its body as an object, for the assertions below. */
  const answerOf = async (call: Promise<HttpAnswer>) => {
    const answer = await call;
    return { ...answer, body: answer.body as Record<string, unknown> };
  };
  const post = (request: Omit<PlaceOrderRequest, 'version'> & { version?: string }) =>
    answerOf(crm().placeOrder({ version: 'v2', ...request }));
  const get = (version: ApiVersion, id: unknown, apiKey: string) =>
    answerOf(crm().getOrder(version, String(id), apiKey));
  /** What the CRM published: the messages on the orders exchange. */
  const published = () => bus.seen().filter((m) => m.exchange === 'orders');

  before(async () => {
    // The CRM's own default window: a burst of requests stays well inside it.
    environment = await startTestEnvironment({
      components: { crm: { source: 'process', env: { CRM_RATE_LIMIT_WINDOW_MS: '60000' } } },
    });
    record = environment.record;
    bus = await environment.observeBus();
  });
  after(async () => {
    await bus?.close();
    await environment?.stop();
  });

  it('accepts a v2 order, answers 201 with the order, and publishes order.created once', async () => {
    const res = await post({
      apiKey: key('b2c-web'),
      body: { customer: { id: 'cust-v2' }, lines: [{ sku: 'CHAIR-OAK', quantity: 2 }], currency: 'USD' },
      correlationId: 'corr-v2-1',
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual(res.body.customer, { id: 'cust-v2', segment: 'b2c' });
    assert.equal(res.body.currency, 'USD');
    assert.equal(res.headers['x-correlation-id'], 'corr-v2-1');
    assert.equal(res.headers.deprecation, undefined);
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

    const fetched = await get('v2', id, key('b2c-web'));
    assert.equal(fetched.status, 200);
    assert.equal(fetched.body.id, id);
  });

  it('accepts a v1 order in the v1 shape with Deprecation, Sunset and successor Link headers', async () => {
    const res = await post({
      version: 'v1',
      apiKey: key('b2b-portal'),
      body: { customerId: 'cust-v1', items: [{ productCode: 'DESK-PINE', qty: 3 }] },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.segment, 'b2b');
    assert.deepEqual(res.body.items, [{ productCode: 'DESK-PINE', qty: 3 }]);
    assert.match(res.headers.deprecation ?? '', /^@\d+$/);
    assert.ok(Date.parse(res.headers.sunset ?? '') > Date.parse('2027-01-01'));
    assert.match(res.headers.link ?? '', /<\/v2\/orders>; rel="successor-version"/);
    const message = await bus.waitFor((m) => m.messageId === res.body.orderId, {
      within: 10_000,
      description: 'v1 order',
    });
    assert.equal(message.routingKey, 'order.created.b2b');
    assert.equal(message.priority, 2);
    assert.equal(bodyOf(message).currency, 'EUR');
    const fetched = await get('v1', res.body.orderId, key('b2b-portal'));
    assert.equal(fetched.status, 200);
    assert.ok(fetched.headers.sunset);
  });

  it('rejects an invalid body with 400 listing every field error, and stores and publishes nothing', async () => {
    const before = published().length;
    const res = await post({
      apiKey: key('b2c-web'),
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
    const orders = await countOrders(record);
    // A valid order afterwards is the next message: nothing was published for the invalid one.
    const ok = await post({
      apiKey: key('b2c-web'),
      body: { customer: { id: 'after-invalid' }, lines: [{ sku: 'LAMP', quantity: 1 }], currency: 'EUR' },
    });
    await bus.waitFor((m) => m.messageId === ok.body.id, { within: 10_000, description: 'valid order' });
    assert.equal(published().length, before + 1);
    assert.equal(await countOrders(record), orders + 1);
  });

  it('rejects malformed JSON with 400', async () => {
    const response = await fetch(`${httpBaseUrlOf(record.endpoints, 'crm')}/v2/orders`, {
      method: 'POST',
      headers: { 'x-api-key': key('b2c-web'), 'content-type': 'application/json' },
      body: '{"customer": ',
    });
    assert.equal(response.status, 400);
  });

  it('answers 401 for a missing or unknown API key', async () => {
    const body = { customer: { id: 'c' }, lines: [{ sku: 'LAMP', quantity: 1 }], currency: 'EUR' };
    const missing = await post({ apiKey: undefined, body });
    assert.equal(missing.status, 401);
    assert.equal(missing.body.error, 'missing_api_key');
    const unknown = await post({ apiKey: 'not-a-real-key-at-all', body });
    assert.equal(unknown.status, 401);
    assert.equal(unknown.body.error, 'unknown_api_key');
  });

  it('answers 404 naming the supported versions for an unknown version', async () => {
    const res = await post({ version: 'v3', apiKey: key('b2c-web'), body: {} });
    assert.equal(res.status, 404);
    assert.equal(res.body.error, 'unknown_api_version');
    assert.deepEqual(res.body.supportedVersions, ['v1', 'v2']);
    assert.match(res.body.message as string, /v3.*v1, v2/);
  });

  it('does not show one API key the orders of another', async () => {
    const res = await post({
      apiKey: key('b2c-web'),
      body: { customer: { id: 'private' }, lines: [{ sku: 'LAMP', quantity: 1 }], currency: 'EUR' },
    });
    const other = await get('v2', res.body.id, key('b2b-portal'));
    assert.equal(other.status, 404);
  });

  it('replays the first answer for a retried Idempotency-Key and creates no second order', async () => {
    const body = { customer: { id: 'idem' }, lines: [{ sku: 'LAMP', quantity: 4 }], currency: 'EUR' };
    const retried = { apiKey: key('b2c-web'), body, idempotencyKey: 'retry-123' };
    const first = await post(retried);
    const [second, third] = await Promise.all([post(retried), post(retried)]);
    assert.equal(first.status, 201);
    assert.deepEqual(second.body, first.body);
    assert.deepEqual(third.body, first.body);
    assert.equal(second.headers['idempotent-replayed'], 'true');
    const rows = await queryBackend(
      record,
      "select count(*)::int as n from crm.orders where customer_id = 'idem'",
    );
    assert.equal(rows[0]?.n, 1);
    await bus.waitFor((m) => m.messageId === first.body.id, {
      within: 10_000,
      description: 'idempotent order',
    });
    assert.equal(published().filter((m) => bodyOf(m).customerId === 'idem').length, 1);

    const changed = await post({ ...retried, body: { ...body, lines: [{ sku: 'LAMP', quantity: 5 }] } });
    assert.equal(changed.status, 422);
  });

  it('limits each API key on its own: 429 with Retry-After for the noisy key, others unaffected', async () => {
    const body = { customer: { id: 'noisy' }, lines: [{ sku: 'LAMP', quantity: 1 }], currency: 'EUR' };
    // The allowance the environment gave the partner's key.
    const limit =
      record.endpoints.apiKeys.find((k) => k.name === 'partner-acme')?.requestsPerWindow ??
      assert.fail('partner-acme has no limit');
    const answers = [];
    for (let i = 0; i < limit + 1; i++) answers.push(await post({ apiKey: key('partner-acme'), body }));
    assert.deepEqual(
      answers.map((a) => a.status),
      [...Array.from({ length: limit }, () => 201), 429],
    );
    const limited = answers[limit];
    assert.ok(Number(limited?.headers['retry-after']) > 0, 'Retry-After');
    assert.equal(limited?.headers['x-ratelimit-limit'], String(limit));
    assert.equal(limited?.headers['x-ratelimit-remaining'], '0');
    assert.equal(limited?.body.error, 'rate_limited');
    assert.equal(answers[0]?.headers['x-ratelimit-remaining'], String(limit - 1));
    const other = await post({ apiKey: key('partner-globex'), body });
    assert.equal(other.status, 201);
  });

  it('serves an OpenAPI document generated from the route schemas', async () => {
    const res = await fetch(`${httpBaseUrlOf(record.endpoints, 'crm')}/openapi.json`);
    assert.equal(res.status, 200);
    const document = (await res.json()) as Record<string, unknown>;
    assert.equal(document.openapi, '3.1.0');
    const paths = document.paths as Record<
      string,
      Record<string, { deprecated?: boolean; requestBody?: unknown }>
    >;
    assert.ok(paths['/v2/orders']?.post?.requestBody, 'v2 POST documented with its body');
    assert.equal(paths['/v1/orders']?.post?.deprecated, true);
  });
});

const bodyOf = (message: BusMessage) => message.body as Record<string, unknown>;

async function queryBackend(record: EnvironmentRecord, sql: string): Promise<Array<Record<string, number>>> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: databaseOf(record.endpoints).databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

async function countOrders(record: EnvironmentRecord): Promise<number> {
  return (await queryBackend(record, 'select count(*)::int as n from crm.orders'))[0]?.n ?? 0;
}
