import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CreateStep, Journey } from '../config/journey.ts';
import { orderRequest } from './order-request.ts';

const step = (overrides: Partial<CreateStep>): CreateStep => ({
  name: 'created',
  component: 'shop',
  operationId: 'place',
  method: 'POST',
  path: '/api/v3/purchases',
  body: undefined,
  headers: {},
  values: {},
  success: [202],
  id: '$.no',
  ...overrides,
});

const journeyOf = (create: CreateStep, versions: Record<string, CreateStep> = {}) =>
  ({ create: { ...create, versions } }) as unknown as Journey;

const order = {
  customerId: 'c-1',
  segment: 'b2b',
  currency: 'PLN',
  lines: [
    { sku: 'LAMP', quantity: 2 },
    { sku: 'DESK-OAK', quantity: 1 },
  ],
};

describe('an order as the pipeline’s create request', () => {
  it('fills the body in, keeping numbers numbers, one item per line, the words translated', () => {
    const journey = journeyOf(
      step({
        body: {
          buyer: { ref: 'buyer {order.customerId}', tier: '{order.segment}' },
          items: [
            { '{each}': 'order.lines', product: '{line.sku}', count: '{line.quantity}' },
            { gift: true },
          ],
          money: '{order.currency}',
        },
        values: { 'order.segment': { b2b: 'business', b2c: 'consumer' } },
      }),
    );
    assert.deepEqual(orderRequest(journey, order).body, {
      buyer: { ref: 'buyer c-1', tier: 'business' },
      items: [{ product: 'LAMP', count: 2 }, { product: 'DESK-OAK', count: 1 }, { gift: true }],
      money: 'PLN',
    });
  });

  it('takes the named version’s operation, and the journey’s own for a version it does not list', () => {
    const v1 = step({
      operationId: 'placeV1',
      path: '/v1/orders',
      body: { customerId: '{order.customerId}' },
    });
    const journey = journeyOf(step({ body: { id: '{order.customerId}' } }), { v1 });
    assert.equal(orderRequest(journey, order, 'v1').step.operationId, 'placeV1');
    assert.deepEqual(orderRequest(journey, order, 'v1').body, { customerId: 'c-1' });
    assert.equal(orderRequest(journey, order, 'v7').step.operationId, 'place');
  });

  it('leaves out a header naming a value the order lacks, and refuses such a body naming what it may name', () => {
    const journey = journeyOf(
      step({ headers: { 'x-api-key': '{order.apiKey}', 'x-src': 'e2e' }, body: { k: '{order.apiKey}' } }),
    );
    assert.throws(
      () => orderRequest(journey, order),
      /journey\.create\.body\.k: "\{order\.apiKey\}" names nothing this order has; it may name \{order\.customerId\}/,
    );
    const keyed = orderRequest(
      journeyOf(step({ headers: { 'x-api-key': '{order.apiKey}', 'x-src': 'e2e' } })),
      {
        ...order,
        apiKey: 'k-1',
      },
    );
    assert.deepEqual(keyed.headers, { 'x-api-key': 'k-1', 'x-src': 'e2e' });
    assert.deepEqual(
      orderRequest(journeyOf(step({ headers: { 'x-api-key': '{order.apiKey}' } })), order).headers,
      {},
    );
  });
});
