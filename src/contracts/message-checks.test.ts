// Messages as the bus observer sees them, checked against the reference stack's AsyncAPI document:
// what the services really publish keeps the contract; each way of breaking it is named.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { readAsyncApi } from '../config/contracts.ts';
import { type MessageChecks, messageChecksOf, type WireMessage } from './message-checks.ts';

const orderId = '6f1c0b1e-8a44-4a53-9d2e-1f0c5e7b9a01';

/** An order.created as the reference CRM's outbox relay publishes it. */
const orderCreated = (): WireMessage => ({
  exchange: 'orders',
  routingKey: 'order.created.b2c',
  headers: {},
  body: {
    orderId,
    customerId: 'c-1',
    segment: 'b2c',
    currency: 'EUR',
    lines: [{ sku: 'SKU-1', quantity: 2 }],
    channel: 'webshop',
    createdAt: '2026-11-30T06:00:00.000Z',
  },
  messageId: orderId,
  correlationId: 'req-1',
  contentType: 'application/json',
  type: 'order.created',
  deliveryMode: 2,
  priority: 8,
  timestamp: 1_780_000_000,
});

const priced = (): WireMessage => ({
  exchange: 'pricing',
  routingKey: 'pricing.completed',
  headers: {},
  body: { orderId, status: 'completed', totalCents: 1299, currency: 'EUR', pricedBy: 'pricing-1' },
  messageId: `price-${orderId}`,
  correlationId: 'req-1',
  contentType: 'application/json',
  type: 'pricing.completed',
  deliveryMode: 2,
  timestamp: 1_780_000_001,
});

const problems = (checks: MessageChecks, message: WireMessage) =>
  checks.check(message).map((violation) => `${violation.where}: ${violation.problem}`);

describe('checking a message on the wire against the AsyncAPI document', () => {
  let checks: MessageChecks;
  before(async () => {
    const file = join(import.meta.dirname, '..', '..', 'services', 'asyncapi.yaml');
    const read = await readAsyncApi(file, 'contracts.asyncapi');
    assert.ok(typeof read !== 'string', String(read));
    checks = messageChecksOf(read.document);
  });

  it('passes the messages the services publish', () => {
    assert.deepEqual(problems(checks, orderCreated()), []);
    assert.deepEqual(problems(checks, priced()), []);
    assert.equal(checks.channelOf(orderCreated()), 'orderCreated');
  });

  it('names a field renamed in the payload', () => {
    const { channel, ...rest } = orderCreated().body as Record<string, unknown>;
    const found = problems(checks, { ...orderCreated(), body: { ...rest, client: channel } });
    assert.equal(found.length, 1);
    assert.match(
      found[0] ?? '',
      /channel orderCreated.*payload \(root\) must have required property 'channel'/,
    );
  });

  it('names a wrong type inside the payload', () => {
    const body = { ...(priced().body as object), totalCents: '12.99' };
    assert.match(problems(checks, { ...priced(), body }).join('\n'), /payload \/totalCents must be integer/);
  });

  it('names a missing AMQP correlation id, content type, type and a non-persistent delivery', () => {
    const found = problems(checks, {
      ...orderCreated(),
      correlationId: undefined,
      contentType: undefined,
      type: undefined,
      deliveryMode: 1,
    }).join('\n');
    assert.match(found, /no AMQP correlationId property/);
    assert.match(found, /content type \(none\), where the document says application\/json/);
    assert.match(found, /AMQP type \(none\), where the document says order.created/);
    assert.match(found, /delivery mode 1, where the send operation asks for 2 \(persistent\)/);
  });

  it('names a business id missing from where correlationId.location puts it', () => {
    const { orderId: _, ...rest } = priced().body as Record<string, unknown>;
    assert.match(
      problems(checks, { ...priced(), body: rest }).join('\n'),
      /no correlation id at \$message.payload#\/orderId/,
    );
  });

  it('names a routing key or an exchange no channel carries', () => {
    assert.match(
      problems(checks, { ...orderCreated(), routingKey: 'order.created.b2g' }).join(''),
      /routing key order.created.b2g: no channel of the AsyncAPI document/,
    );
    assert.match(problems(checks, { ...orderCreated(), exchange: 'audit' }).join(''), /exchange audit/);
  });

  it('tells a price from a refusal by the AMQP type, and checks each against its own schema', () => {
    const failed: WireMessage = {
      ...priced(),
      routingKey: 'pricing.failed',
      type: 'pricing.failed',
      body: { orderId, status: 'failed', reason: 'unknown sku', pricedBy: 'pricing-1' },
    };
    assert.deepEqual(problems(checks, failed), []);
    const wrong = { ...failed, body: { orderId, status: 'failed', pricedBy: 'pricing-1' } };
    assert.match(
      problems(checks, wrong).join(''),
      /^.*pricingFailed: payload \(root\) must have required property 'reason'$/,
    );
  });

  it('checks a dead letter only against its dead-letter channel: its body may be anything', () => {
    const dead: WireMessage = {
      ...orderCreated(),
      exchange: 'mes.orders.dead',
      body: '{"not": "an order"',
      headers: {
        'x-rejection-reason': Buffer.from('unparseable or invalid message: body is not JSON'),
        'x-original-exchange': 'orders',
        'x-original-routing-key': 'order.created.b2c',
      },
    };
    assert.ok(checks.isDeadLetter(dead));
    assert.deepEqual(problems(checks, dead), []);
    const noReason = { ...dead, headers: {} };
    assert.match(
      problems(checks, noReason).join(''),
      /headers \(root\) must have required property 'x-rejection-reason'/,
    );
  });
});
