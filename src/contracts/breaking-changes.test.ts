// The differ finds each kind of breaking change, names where it is, and reports nothing between a
// document and itself or for additions a client cannot notice.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { servicesDir } from '../config/defaults.ts';
import { type BreakingChange, breakingChanges } from './breaking-changes.ts';
import { isUnusable, type Json, readContract } from './contract-document.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests edit documents freely, at any depth
type Mutable = Record<string, any>;

const secondPipeline = join(import.meta.dirname, '../../test/fixtures/second-pipeline');

async function dereferenced(file: string): Promise<Json> {
  const read = await readContract(readFileSync(file, 'utf8'), file);
  assert.ok(!isUnusable(read), `${file}: ${JSON.stringify(read)}`);
  return read.document;
}

const rules = (changes: readonly BreakingChange[]) => changes.map((change) => change.rule);

function openApi(): Mutable {
  return {
    openapi: '3.0.3',
    info: { title: 'orders', version: '1.0.0' },
    paths: {
      '/orders': {
        post: {
          operationId: 'placeOrder',
          parameters: [{ name: 'dryRun', in: 'query', schema: { type: 'boolean' } }],
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['customer'],
                  properties: {
                    customer: { type: 'string' },
                    note: { type: 'string' },
                    currency: { type: 'string', enum: ['EUR', 'USD'] },
                    lines: {
                      type: 'array',
                      items: { type: 'object', properties: { quantity: { type: 'integer' } } },
                    },
                  },
                },
              },
            },
          },
          responses: {
            '201': {
              description: 'placed',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      id: { type: 'string' },
                      status: { type: 'string', enum: ['new', 'priced'] },
                    },
                  },
                },
              },
            },
          },
        },
      },
      '/orders/{id}': {
        get: { operationId: 'getOrder', responses: { '200': { description: 'the order' } } },
      },
    },
  };
}

function asyncApi(): Mutable {
  return {
    asyncapi: '3.0.0',
    info: { title: 'bus', version: '1.0.0' },
    channels: {
      orderCreated: {
        address: 'order.created',
        messages: {
          orderCreated: {
            payload: {
              type: 'object',
              required: ['orderId'],
              properties: {
                orderId: { type: 'string' },
                segment: { type: 'string', enum: ['b2c', 'b2b'] },
                total: { type: 'integer' },
              },
            },
          },
        },
      },
      orderPriced: { address: 'order.priced', messages: { orderPriced: { payload: { type: 'object' } } } },
    },
    operations: {
      publishOrderCreated: { action: 'send', channel: { address: 'order.created' } },
      receiveOrderPriced: { action: 'receive', channel: { address: 'order.priced' } },
    },
  };
}

const requestSchema = (document: Mutable) =>
  document.paths['/orders'].post.requestBody.content['application/json'].schema;
const responseSchema = (document: Mutable) =>
  document.paths['/orders'].post.responses['201'].content['application/json'].schema;
const payload = (document: Mutable) => document.channels.orderCreated.messages.orderCreated.payload;

describe('breaking changes between a document and itself: none', () => {
  const documents = [
    join(servicesDir, 'crm/openapi.json'),
    join(servicesDir, 'mes/openapi.json'),
    join(servicesDir, 'asyncapi.yaml'),
    join(secondPipeline, 'openapi.json'),
    join(secondPipeline, 'plant.openapi.json'),
    join(secondPipeline, 'asyncapi.yaml'),
  ];
  for (const file of documents)
    it(file.replace(/.*\/(services|second-pipeline)\//, '$1/'), async () => {
      const kind = file.endsWith('asyncapi.yaml') ? 'asyncapi' : 'openapi';
      // Read twice: two equal documents, not one object compared with itself.
      assert.deepEqual(breakingChanges(kind, await dereferenced(file), await dereferenced(file)), []);
    });
});

describe('OpenAPI: breaking changes', () => {
  it('a removed operation, named by method and path', () => {
    const next = openApi();
    delete next.paths['/orders/{id}'];
    assert.deepEqual(breakingChanges('openapi', openApi(), next), [
      {
        rule: 'operation-removed',
        where: 'GET /orders/{id}',
        pointer: '#/paths/~1orders~1{id}/get',
        message: 'GET /orders/{id} was removed',
      },
    ]);
  });

  it('a request field made required, and a new required field', () => {
    const next = openApi();
    requestSchema(next).required = ['customer', 'note', 'channel'];
    requestSchema(next).properties.channel = { type: 'string' };
    const changes = breakingChanges('openapi', openApi(), next);
    assert.deepEqual(rules(changes), ['field-required', 'field-required']);
    assert.equal(changes[0]?.where, 'POST /orders request body (application/json)');
    assert.equal(
      changes[0]?.pointer,
      '#/paths/~1orders/post/requestBody/content/application~1json/schema/required',
    );
    assert.deepEqual(
      changes.map((change) => change.message),
      ['`note` is now required', 'new required field `channel`'],
    );
  });

  it('a parameter or a request body made required', () => {
    const next = openApi();
    next.paths['/orders'].post.parameters[0].required = true;
    next.paths['/orders'].post.requestBody.required = true;
    const changes = breakingChanges('openapi', openApi(), next);
    assert.deepEqual(
      changes.map(({ rule, where, pointer }) => ({ rule, where, pointer })),
      [
        {
          rule: 'field-required',
          where: 'POST /orders parameter dryRun (query)',
          pointer: '#/paths/~1orders/post/parameters/0/required',
        },
        {
          rule: 'field-required',
          where: 'POST /orders request body',
          pointer: '#/paths/~1orders/post/requestBody/required',
        },
      ],
    );
  });

  it('a property removed from a response', () => {
    const next = openApi();
    delete responseSchema(next).properties.status;
    const [change, ...more] = breakingChanges('openapi', openApi(), next);
    assert.deepEqual(more, []);
    assert.equal(change?.rule, 'property-removed');
    assert.equal(change?.where, 'POST /orders response 201 (application/json)');
    assert.match(change?.message ?? '', /`status` was removed/);
  });

  it('a type changed, inside an array too', () => {
    const next = openApi();
    requestSchema(next).properties.customer = { type: 'integer' };
    requestSchema(next).properties.lines.items.properties.quantity = { type: 'string' };
    const changes = breakingChanges('openapi', openApi(), next);
    assert.deepEqual(
      changes.map(({ rule, message }) => ({ rule, message })),
      [
        { rule: 'type-changed', message: '`customer` was string, is now integer' },
        { rule: 'type-changed', message: '`lines[].quantity` was integer, is now string' },
      ],
    );
    assert.equal(changes[1]?.pointer.endsWith('/properties/lines/items/properties/quantity/type'), true);
  });

  it('an enum value removed from what the client sends', () => {
    const next = openApi();
    requestSchema(next).properties.currency.enum = ['EUR'];
    const changes = breakingChanges('openapi', openApi(), next);
    assert.deepEqual(rules(changes), ['enum-value-removed']);
    assert.match(changes[0]?.message ?? '', /`currency` no longer takes "USD"/);
  });
});

describe('OpenAPI: changes a client cannot notice are not reported', () => {
  it('a new operation, an optional request field, a new response field, a wider request type', () => {
    const next = openApi();
    next.paths['/orders'].get = {
      operationId: 'listOrders',
      responses: { '200': { description: 'orders' } },
    };
    requestSchema(next).properties.reference = { type: 'string' };
    requestSchema(next).properties.lines.items.properties.quantity = { type: 'number' };
    requestSchema(next).properties.currency.enum = ['EUR', 'USD', 'GBP'];
    responseSchema(next).properties.createdAt = { type: 'string' };
    assert.deepEqual(breakingChanges('openapi', openApi(), next), []);
  });

  it('a required field dropped from a request, an enum value dropped from a response', () => {
    const next = openApi();
    requestSchema(next).required = [];
    responseSchema(next).properties.status.enum = ['priced'];
    assert.deepEqual(breakingChanges('openapi', openApi(), next), []);
  });

  it('a recursive schema is compared without looping', () => {
    const recursive = () => {
      const document = openApi();
      const node: Mutable = { type: 'object', properties: { name: { type: 'string' } } };
      node.properties.children = { type: 'array', items: node };
      responseSchema(document).properties.tree = node;
      return document;
    };
    const next = recursive();
    next.paths['/orders'].post.responses['201'].content[
      'application/json'
    ].schema.properties.tree.properties.name.type = 'integer';
    assert.deepEqual(rules(breakingChanges('openapi', recursive(), recursive())), []);
    assert.deepEqual(rules(breakingChanges('openapi', recursive(), next)), ['type-changed']);
  });
});

describe('AsyncAPI 3: breaking changes', () => {
  it('a removed channel and a removed operation', () => {
    const next = asyncApi();
    delete next.channels.orderPriced;
    delete next.operations.receiveOrderPriced;
    assert.deepEqual(breakingChanges('asyncapi', asyncApi(), next), [
      {
        rule: 'channel-removed',
        where: 'channel orderPriced',
        pointer: '#/channels/orderPriced',
        message: 'channel orderPriced (address order.priced) was removed',
      },
      {
        rule: 'operation-removed',
        where: 'operation receiveOrderPriced',
        pointer: '#/operations/receiveOrderPriced',
        message: 'operation receiveOrderPriced (receive) was removed',
      },
    ]);
  });

  it('a changed address and a message removed from a channel', () => {
    const next = asyncApi();
    next.channels.orderCreated.address = 'orders.created';
    next.channels.orderPriced.messages = {};
    const changes = breakingChanges('asyncapi', asyncApi(), next);
    assert.deepEqual(rules(changes), ['channel-address-changed', 'message-removed']);
    assert.equal(changes[0]?.message, 'the address was order.created, is now orders.created');
    assert.equal(changes[1]?.pointer, '#/channels/orderPriced/messages/orderPriced');
  });

  it('in a payload: a field made required, a property removed, a type changed, an enum value removed', () => {
    const next = asyncApi();
    payload(next).required = ['orderId', 'total'];
    delete payload(next).properties.segment;
    payload(next).properties.total = { type: 'string' };
    const changes = breakingChanges('asyncapi', asyncApi(), next);
    assert.deepEqual(rules(changes).sort(), ['field-required', 'property-removed', 'type-changed']);
    for (const change of changes)
      assert.equal(change.where, 'channel orderCreated message orderCreated payload');

    const fewer = asyncApi();
    payload(fewer).properties.segment.enum = ['b2c'];
    assert.deepEqual(rules(breakingChanges('asyncapi', asyncApi(), fewer)), ['enum-value-removed']);
  });

  it('new channels, operations, messages and optional payload fields are not reported', () => {
    const next = asyncApi();
    next.channels.orderShipped = { address: 'order.shipped', messages: { orderShipped: { payload: {} } } };
    next.channels.orderCreated.messages.orderCreatedV2 = { payload: { type: 'object' } };
    next.operations.publishOrderShipped = { action: 'send', channel: { address: 'order.shipped' } };
    payload(next).properties.note = { type: 'string' };
    assert.deepEqual(breakingChanges('asyncapi', asyncApi(), next), []);
  });
});
