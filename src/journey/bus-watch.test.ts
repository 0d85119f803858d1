import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BusHop, Journey } from '../config/journey.ts';
import type { BusMessage } from '../drivers/bus-observer.ts';
import type { Endpoints } from '../drivers/endpoints.ts';
import {
  businessIdOf,
  busWatchOf,
  deadLetterExchangesOf,
  firstOfHop,
  observeOptionsOf,
  routingKeysOf,
} from './bus-watch.ts';

const busHop = (
  name: string,
  channels: BusHop['channels'],
  id: BusHop['id'] = { in: 'payload', path: '$.orderId' },
): BusHop => ({
  kind: 'bus',
  name,
  component: 'svc',
  operation: undefined,
  messages: [name],
  channels,
  id,
  carries: {},
});

const journeyWith = (...hops: Journey['hops']): Journey => ({
  create: {
    name: 'created',
    component: 'api',
    operationId: 'create',
    method: 'POST',
    path: '/x',
    id: '$.id',
    body: {},
    headers: {},
    values: {},
    success: [201],
    versions: {},
  },
  list: undefined,
  hops,
  state: {
    name: 'done',
    component: 'api',
    operationId: 'read',
    method: 'GET',
    path: '/x/{id}',
    idParameter: 'id',
    id: '$.id',
    state: '$.status',
    total: undefined,
    currency: undefined,
    reason: undefined,
    at: undefined,
    states: { received: [], inProgress: [], done: ['done'], failed: [] },
  },
});

const message = (exchange: string, routingKey: string, body: unknown, headers = {}): BusMessage => ({
  exchange,
  routingKey,
  headers,
  body,
  priority: undefined,
  messageId: undefined,
  correlationId: undefined,
  deliveryMode: 2,
  seenAt: 1000,
});

describe('busWatchOf', () => {
  it("binds each bus hop's exchange with its address, parameters as topic wildcards, and each dead-letter exchange", () => {
    const watch = busWatchOf(
      journeyWith(
        busHop('created', [
          { id: 'c', address: 'order.created.{segment}', exchange: { name: 'orders', type: 'topic' } },
        ]),
        busHop('result', [
          { id: 'r', address: 'pricing.{outcome}', exchange: { name: 'pricing', type: 'topic' } },
        ]),
        busHop('fan', [{ id: 'f', address: null, exchange: { name: 'events', type: 'fanout' } }]),
        busHop('direct', [
          { id: 'd', address: 'invoice.sent', exchange: { name: 'billing', type: 'direct' } },
        ]),
      ),
      ['mes.orders.dead'],
    );
    assert.deepEqual(watch.bindings, [
      { exchange: 'orders', bindingKey: 'order.created.*', type: 'topic' },
      { exchange: 'pricing', bindingKey: 'pricing.*', type: 'topic' },
      { exchange: 'events', bindingKey: '', type: 'fanout' },
      { exchange: 'billing', bindingKey: 'invoice.sent', type: 'direct' },
      { exchange: 'mes.orders.dead', bindingKey: '', type: 'fanout' },
    ]);
    assert.deepEqual(watch.unwatchable, {});
  });

  it('says why a hop on a queue, or on a parameterised direct key, cannot be watched: it is not bound to', () => {
    const watch = busWatchOf(
      journeyWith(
        busHop('queued', [{ id: 'q', address: 'work', queue: 'work' }]),
        busHop('direct', [{ id: 'd', address: 'x.{p}', exchange: { name: 'billing', type: 'direct' } }]),
      ),
    );
    assert.deepEqual(watch.bindings, []);
    assert.match(watch.unwatchable.queued ?? '', /queue "work": watching a queue would take its messages/);
    assert.match(
      watch.unwatchable.direct ?? '',
      /direct exchange "billing" with a key whose parameters list no values \(x\.\{p\}\)/,
    );
  });

  it('declares nothing on a broker the run does not own', () => {
    const endpoints = (profile: Endpoints['profile'], ownedByRun: boolean) =>
      ({ profile, rabbitmq: { amqpUrl: 'amqp://broker', vhost: '/', ownedByRun } }) as Endpoints;
    const watch = busWatchOf(journeyWith());
    const onStaging = observeOptionsOf(watch, endpoints('staging', true));
    assert.equal(onStaging.mayDeclare, false, 'a staging broker is only read');
    assert.match(onStaging.owner, /profile staging/);
    // Every component given by URL on another profile: the run made no vhost of its own there.
    const given = observeOptionsOf(watch, endpoints('local', false));
    assert.equal(given.mayDeclare, false);
    assert.match(given.owner, /vhost "\/" of a broker given by URL: every service is given by URL too/);
    assert.equal(observeOptionsOf(watch, endpoints('local', true)).mayDeclare, true);
    assert.equal(observeOptionsOf(watch, endpoints('containers', true)).mayDeclare, true);
  });
});

describe('routingKeysOf', () => {
  it('expands the parameters the document lists values for, and makes a word of the others a wildcard', () => {
    const channel = (address: string, parameters?: Record<string, string[]>) => ({
      id: 'c',
      address,
      ...(parameters ? { parameters } : {}),
      exchange: { name: 'x', type: 'topic' },
    });
    assert.deepEqual(routingKeysOf(channel('pricing.{outcome}', { outcome: ['completed', 'failed'] })), [
      'pricing.completed',
      'pricing.failed',
    ]);
    assert.deepEqual(routingKeysOf(channel('a.{p}-{q}.{r}', { p: ['1', '2'], q: ['x'] })), [
      'a.1-x.*',
      'a.2-x.*',
    ]);
    const many = Array.from({ length: 6 }, (_, i) => String(i));
    assert.deepEqual(routingKeysOf(channel('{a}.{b}', { a: many, b: many })), ['*.*']);
  });
});

describe('deadLetterExchangesOf', () => {
  it("reads the x-dead-letter-exchange of the channels' queue arguments, each once", () => {
    assert.deepEqual(
      deadLetterExchangesOf({
        channels: {
          a: { 'x-queue-arguments': { 'x-dead-letter-exchange': 'a.dead' } },
          b: { 'x-queue-arguments': { 'x-max-priority': 10 } },
          c: { 'x-queue-arguments': { 'x-dead-letter-exchange': 'a.dead' } },
          d: {},
        },
      }),
      ['a.dead'],
    );
  });
});

describe('businessIdOf', () => {
  it('reads the id from the payload or the headers by JSON path, and finds none in a poison message', () => {
    const body = { order: { ref: 'o-1' }, orderId: 7 };
    assert.equal(businessIdOf(message('x', 'k', body), { in: 'payload', path: '$.order.ref' }), 'o-1');
    assert.equal(businessIdOf(message('x', 'k', body), { in: 'payload', path: '$.orderId' }), '7');
    assert.equal(businessIdOf(message('x', 'k', body), { in: 'payload', path: '$.missing' }), undefined);
    assert.equal(
      businessIdOf(message('x', 'k', {}, { orderRef: Buffer.from('o-2') }), {
        in: 'headers',
        path: '$.orderRef',
      }),
      'o-2',
    );
    assert.equal(
      businessIdOf(message('x', 'k', '{"not json'), { in: 'payload', path: '$.orderId' }),
      undefined,
    );
  });
});

describe('firstOfHop', () => {
  const hop = busHop(
    'result',
    [{ id: 'r', address: 'pricing.{outcome}', exchange: { name: 'pricing', type: 'topic' } }],
    { in: 'payload', path: '$.ref' },
  );
  it("takes the first message on the hop's channel that carries the order's id", () => {
    const wanted = message('pricing', 'pricing.failed', { ref: 'o-1' });
    const found = firstOfHop(hop, 'o-1', [
      message('pricing', 'pricing.requested.more', { ref: 'o-1' }),
      message('orders', 'pricing.completed', { ref: 'o-1' }),
      message('pricing', 'pricing.completed', { ref: 'o-2' }),
      wanted,
    ]);
    assert.equal(found, wanted);
    assert.equal(firstOfHop(hop, 'o-3', [wanted]), undefined);
  });
});
