// The CRM's HTTP contract as a third party meets it: rate limits, versions, status codes, headers
// and error bodies.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { type DataTable, Then, When } from '@cucumber/cucumber';
import {
  apiKeyNames,
  linesFromTable,
  orderBody,
  type Segment,
  uniqueCustomerId,
} from '../fixtures/orders.ts';
import type { HttpAnswer } from '../src/drivers/crm-client.ts';
import { eventually } from '../src/wait/eventually.ts';
import { placeOrder } from './support/orders.ts';
import { waitsUpTo } from './support/timeouts.ts';
import type { MesWorld, PlacedOrder } from './support/world.ts';

const lastAnswer = (world: MesWorld) =>
  world.lastAnswer ?? assert.fail('no request was made in this scenario yet');
const errorBody = (answer: HttpAnswer) =>
  answer.body as {
    error?: string;
    details?: Array<{ field: string; problem: string }>;
    supportedVersions?: string[];
  };

async function send(
  world: MesWorld,
  request: Parameters<MesWorld['crm']['placeOrder']>[0],
): Promise<HttpAnswer> {
  const answer = await world.crm.placeOrder(request);
  world.answers.push(answer);
  world.lastAnswer = answer;
  return answer;
}

const oneLamp = (customerId: string) => orderBody('v2', customerId, [{ sku: 'LAMP', quantity: 1 }]);

When(
  'the partner {string} places orders until the CRM refuses one',
  // An earlier run's window may have to reset first (Retry-After, a minute by default).
  waitsUpTo(120_000),
  async function (this: MesWorld, partner: string) {
    const apiKey = this.apiKey(partner);
    const order = () => send(this, { version: 'v2', apiKey, body: oneLamp(uniqueCustomerId(partner)) });
    let first = await order();
    if (first.status === 429) {
      // A window an earlier run used up (env up keeps the CRM): wait for the CRM's own reset.
      const seconds = Number(first.headers['retry-after'] ?? 60);
      first = await eventually(async () => ((await order()).status === 201 ? lastAnswer(this) : undefined), {
        within: (seconds + 5) * 1000,
        every: 500,
        maxEvery: 1_000,
        description: `${partner}'s rate limit window to reset`,
      });
      this.answers.splice(0, this.answers.length - 1);
    }
    // The limit is what the CRM says it is; one more than that must be refused.
    const limit = Number(first.headers['x-ratelimit-limit'] ?? 100);
    for (let attempt = 1; attempt <= limit && lastAnswer(this).status !== 429; attempt += 1) await order();
  },
);

Then('the CRM answers {int}', function (this: MesWorld, status: number) {
  const answer = lastAnswer(this);
  assert.equal(answer.status, status, `CRM status; body: ${JSON.stringify(answer.body).slice(0, 300)}`);
});

Then('the last answer is {int} with a Retry-After header', function (this: MesWorld, status: number) {
  const answer = lastAnswer(this);
  assert.equal(answer.status, status, `after ${this.answers.length} requests`);
  assert.match(answer.headers['retry-after'] ?? '', /^\d+$/, 'Retry-After in seconds');
});

Then('every answer before it was {int}', function (this: MesWorld, status: number) {
  const before = this.answers.slice(0, -1);
  assert.ok(before.length > 0, 'the very first request was refused');
  assert.deepEqual(
    before.map((answer) => answer.status),
    before.map(() => status),
  );
});

Then('the partner {string} can still place an order', async function (this: MesWorld, partner: string) {
  const answer = await send(this, {
    version: 'v2',
    apiKey: this.apiKey(partner),
    body: oneLamp(uniqueCustomerId(partner)),
  });
  assert.equal(answer.status, 201, `${partner}: ${JSON.stringify(answer.body)}`);
});

Then('the answer carries the header {string}', function (this: MesWorld, header: string) {
  assert.ok(
    lastAnswer(this).headers[header.toLowerCase()],
    `header ${header} in ${JSON.stringify(lastAnswer(this).headers)}`,
  );
});

Then('the answer does not carry the header {string}', function (this: MesWorld, header: string) {
  assert.equal(lastAnswer(this).headers[header.toLowerCase()], undefined, `header ${header}`);
});

When(
  'a {segment} customer sends an order to API version {string}',
  async function (this: MesWorld, segment: Segment, version: string) {
    await send(this, {
      version,
      apiKey: this.apiKey(apiKeyNames[segment]),
      body: oneLamp(uniqueCustomerId(segment)),
    });
  },
);

When(
  'a {segment} customer sends an order with quantity {int} of {string}',
  async function (this: MesWorld, segment: Segment, quantity: number, sku: string) {
    const customerId = uniqueCustomerId(segment);
    const answer = await send(this, {
      version: 'v2',
      apiKey: this.apiKey(apiKeyNames[segment]),
      body: orderBody('v2', customerId, [{ sku, quantity }]),
    });
    this.orders.push({
      customerId,
      segment,
      version: 'v2',
      currency: 'EUR',
      lines: [{ sku, quantity }],
      answer,
      id: undefined,
    });
  },
);

When('an order is sent with no API key', async function (this: MesWorld) {
  await send(this, { version: 'v2', apiKey: undefined, body: oneLamp(uniqueCustomerId('anonymous')) });
});

When('an order is sent with an unknown API key', async function (this: MesWorld) {
  await send(this, {
    version: 'v2',
    apiKey: 'not-a-key-of-this-crm-0000',
    body: oneLamp(uniqueCustomerId('anonymous')),
  });
});

Then("the answer's error is {string}", function (this: MesWorld, error: string) {
  assert.equal(errorBody(lastAnswer(this)).error, error, JSON.stringify(lastAnswer(this).body));
});

Then('the answer lists the supported versions {string}', function (this: MesWorld, versions: string) {
  assert.deepEqual(errorBody(lastAnswer(this)).supportedVersions, versions.split(/,\s*/));
});

Then('the answer names the field {string}', function (this: MesWorld, field: string) {
  const fields = (errorBody(lastAnswer(this)).details ?? []).map((detail) => detail.field);
  assert.ok(fields.includes(field), `fields named: ${fields.join(', ') || 'none'}`);
});

Then('nothing was published for the refused order', async function (this: MesWorld) {
  const refused = this.orders.at(-1) ?? assert.fail('no refused order in this scenario');
  // The CRM's relay publishes in commit order: once a later order of the same client is on the bus,
  // anything of the refused one would have been there first.
  const marker = uniqueCustomerId('marker');
  const accepted = await send(this, {
    version: 'v2',
    apiKey: this.apiKey(apiKeyNames[refused.segment]),
    body: oneLamp(marker),
  });
  assert.equal(accepted.status, 201, 'the marker order is accepted');
  const bus = await this.bus();
  const customerOf = (body: unknown) => (body as { customerId?: string } | null)?.customerId;
  await bus.waitFor((m) => customerOf(m.body) === marker, {
    within: 10_000,
    description: `order.created of ${marker}`,
  });
  const leaked = bus.seen().filter((m) => customerOf(m.body) === refused.customerId);
  assert.deepEqual(leaked, [], 'messages for the refused order');
});

// A client makes its retries safe with an Idempotency-Key: the retry gets the first answer back.
When(
  'a {segment} customer places an order through API {apiVersion} with an Idempotency-Key:',
  function (this: MesWorld, segment: Segment, version: string, table: DataTable) {
    const idempotencyKey = `retry-${randomUUID()}`;
    return placeOrder(this, { segment, version, lines: linesFromTable(table.hashes()), idempotencyKey });
  },
);

/** The last order's request again, as a client that never got the answer sends it. */
When('the client sends the same order again with the same Idempotency-Key', function (this: MesWorld) {
  const first = this.lastOrder();
  return placeOrder(this, { ...first, idempotencyKey: keyOf(first) });
});

When('the client sends a different order with the same Idempotency-Key', function (this: MesWorld) {
  const first = this.lastOrder();
  const lines = first.lines.map((line) => ({ ...line, quantity: line.quantity + 1 }));
  return placeOrder(this, { ...first, lines, idempotencyKey: keyOf(first) });
});

Then('the CRM answers the retry with the first order', function (this: MesWorld) {
  const [first, retry] = this.orders.slice(-2);
  assert.ok(first && retry, 'two orders were sent');
  assert.ok(first.id, `the first order was not accepted (${first.answer.status})`);
  // An id only where the answer is one of the create operation's successes (placeOrder).
  assert.equal(
    retry.id,
    first.id,
    `the retry (answered ${retry.answer.status}) names the order the first request created`,
  );
});

const keyOf = (order: PlacedOrder) =>
  order.idempotencyKey ?? assert.fail('the order was sent without an Idempotency-Key');
