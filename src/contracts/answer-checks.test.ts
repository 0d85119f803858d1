import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { JsonObject } from '../config/contracts.ts';
import { type AnswerChecker, answerChecker, type CheckedAnswer } from './answer-checks.ts';
import { evidenceLength } from './evidence.ts';

const reference = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`../../services/${name}/openapi.json`, import.meta.url), 'utf8'),
  ) as JsonObject;

const json = { 'content-type': 'application/json; charset=utf-8' };
const answer = (status: number, body: unknown, headers: Record<string, string> = json): CheckedAnswer => ({
  status,
  headers,
  body,
});
/** The violations as `where: problem` lines, the part a reader of the verdict sees first. */
const problems = (check: AnswerChecker, method: string, path: string, got: CheckedAnswer) =>
  check({ method, path }, got).map((violation) => `${violation.where}: ${violation.problem}`);

const order = {
  id: '5d7c2f0e-8a4b-4c1e-9f3a-2b6d8e0c1a47',
  customerId: 'b2c-1',
  segment: 'b2c',
  currency: 'EUR',
  lines: [{ sku: 'LAMP', quantity: 1 }],
  channel: 'b2c-web',
  status: 'priced',
  totalCents: 4990,
  failureReason: null,
  pricedBy: 'pricing-1',
  createdAt: '2025-01-01T10:00:00.000Z',
  receivedAt: '2025-01-01T10:00:00.100Z',
  pricingRequestedAt: '2025-01-01T10:00:00.200Z',
  pricedAt: '2025-01-01T10:00:00.300Z',
};

/** A small OpenAPI document with one operation answering `responses`. */
const documentWith = (responses: JsonObject, extra: JsonObject = {}): JsonObject => ({
  openapi: '3.1.0',
  info: { title: 'inline', version: '1' },
  paths: { '/things/{id}': { get: { responses } } },
  ...extra,
});

describe('answerChecker on the reference MES document', () => {
  const mes = answerChecker('mes', reference('mes'));

  it('passes an order read with its declared status and a body of the declared schema ($refs resolved)', () => {
    assert.deepEqual(problems(mes, 'GET', `/api/orders/${order.id}`, answer(200, order)), []);
    assert.deepEqual(
      problems(mes, 'GET', '/api/orders/unknown', answer(404, { error: 'order_not_found', message: 'no' })),
      [],
    );
  });

  it('names the operation and the declared statuses when the status is not declared', () => {
    const [violation, ...more] = mes({ method: 'GET', path: `/api/orders/${order.id}` }, answer(203, order));
    assert.deepEqual(more, []);
    assert.equal(violation?.rule, 'answer-contract');
    assert.equal(violation?.where, 'mes GET /api/orders/{id}');
    assert.equal(violation?.problem, 'status 203 is not declared (declared: 200, 404)');
    assert.match(violation?.evidence ?? '', /^203 \{"id":"5d7c2f0e-/);
  });

  it('says where the body breaks the schema, in one line', () => {
    const { totalCents: _, ...withoutTotal } = order;
    assert.deepEqual(
      problems(mes, 'GET', `/api/orders/${order.id}`, answer(200, { ...withoutTotal, segment: 'b2x' })),
      [
        "mes GET /api/orders/{id}: body: must have required property 'totalCents'; /segment must be equal to one of the allowed values",
      ],
    );
    assert.deepEqual(problems(mes, 'GET', `/api/orders/${order.id}`, answer(200, { ...order, id: 'x' })), [
      'mes GET /api/orders/{id}: body: /id must match format "uuid"',
    ]);
  });

  it('matches a request with a query to its operation, and checks the list page', () => {
    const page = { orders: [order], nextCursor: null };
    assert.deepEqual(problems(mes, 'GET', '/api/orders?customer=b2c-1&limit=5', answer(200, page)), []);
    assert.deepEqual(problems(mes, 'GET', '/api/orders?limit=5', answer(200, { orders: 'none' })), [
      "mes GET /api/orders: body: must have required property 'nextCursor'; /orders must be array",
    ]);
  });

  it('checks nothing for a request to no operation of the document: a wrong path, a method it does not declare', () => {
    assert.deepEqual(problems(mes, 'GET', '/api/metrics', answer(200, { anything: true })), []);
    assert.deepEqual(problems(mes, 'GET', '/api/orders/a/b', answer(418, 'teapot')), []);
    assert.deepEqual(problems(mes, 'DELETE', `/api/orders/${order.id}`, answer(405, {})), []);
  });
});

describe('answerChecker on the reference CRM document', () => {
  const crm = answerChecker('crm', reference('crm'));
  const refused = { error: 'rate_limited', message: 'retry later' };

  it('takes a status inside a declared range (4XX)', () => {
    assert.deepEqual(problems(crm, 'POST', '/v2/orders', answer(429, refused)), []);
    assert.deepEqual(problems(crm, 'POST', '/v2/orders', answer(401, refused)), []);
  });

  it('checks a range answer against the range schema', () => {
    assert.deepEqual(problems(crm, 'POST', '/v2/orders', answer(400, { message: 'no code' })), [
      "crm POST /v2/orders: body: must have required property 'error'",
    ]);
  });

  it('lists exact statuses and ranges when neither takes the status', () => {
    assert.deepEqual(problems(crm, 'POST', '/v2/orders', answer(503, refused)), [
      'crm POST /v2/orders: status 503 is not declared (declared: 200, 201, 4XX)',
    ]);
  });

  it('leaves an unknown API version alone: no operation of the document was asked', () => {
    assert.deepEqual(problems(crm, 'POST', '/v9/orders', answer(404, refused)), []);
  });
});

describe('answerChecker on small documents', () => {
  const item = { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } };
  const jsonContent = (schema: JsonObject) => ({ content: { 'application/json': { schema } } });

  it('falls back to default for a status not declared otherwise, and checks its schema', () => {
    const check = answerChecker(
      'svc',
      documentWith({
        '200': { description: 'ok', ...jsonContent(item) },
        default: { description: 'any error', ...jsonContent({ type: 'object', required: ['error'] }) },
      }),
    );
    assert.deepEqual(problems(check, 'GET', '/things/1', answer(500, { error: 'boom' })), []);
    assert.deepEqual(
      problems(check, 'GET', '/things/1', answer(502, 'bad gateway', { 'content-type': 'text/plain' })),
      [],
    );
    assert.deepEqual(problems(check, 'GET', '/things/1', answer(418, {})), [
      "svc GET /things/{id}: body: must have required property 'error'",
    ]);
  });

  it('prefers the exact status to its range and the range to default', () => {
    const check = answerChecker(
      'svc',
      documentWith({
        '404': { description: 'gone', ...jsonContent({ const: 'exact' }) },
        '4xx': { description: 'client', ...jsonContent({ const: 'range' }) },
        default: { description: 'other', ...jsonContent({ const: 'default' }) },
      }),
    );
    assert.deepEqual(problems(check, 'GET', '/things/1', answer(404, 'exact')), []);
    assert.deepEqual(problems(check, 'GET', '/things/1', answer(409, 'range')), []);
    assert.deepEqual(problems(check, 'GET', '/things/1', answer(500, 'default')), []);
    assert.equal(problems(check, 'GET', '/things/1', answer(404, 'range')).length, 1);
  });

  it('names a required response header that is missing, case-insensitively', () => {
    const check = answerChecker(
      'svc',
      documentWith({
        '429': {
          description: 'slow down',
          headers: {
            'Retry-After': { required: true, schema: { type: 'integer' } },
            'X-Optional': { schema: { type: 'string' } },
          },
        },
      }),
    );
    assert.deepEqual(problems(check, 'GET', '/things/1', answer(429, '', { 'retry-after': '3' })), []);
    assert.deepEqual(problems(check, 'GET', '/things/1', answer(429, '', {})), [
      'svc GET /things/{id}: required header Retry-After missing (status 429)',
    ]);
  });

  it('prefers a literal path to a template that also matches it, and takes an encoded parameter', () => {
    const document: JsonObject = {
      openapi: '3.1.0',
      info: { title: 'inline', version: '1' },
      paths: {
        '/things/{id}': { get: { responses: { '200': { description: 'one' } } } },
        '/things/latest': { get: { responses: { '204': { description: 'none yet' } } } },
        '/things/{id}/parts/{part}': { get: { responses: { '200': { description: 'a part' } } } },
      },
    };
    const check = answerChecker('svc', document);
    assert.deepEqual(problems(check, 'GET', '/things/latest', answer(204, '')), []);
    assert.deepEqual(problems(check, 'GET', '/things/latest', answer(200, '')), [
      'svc GET /things/latest: status 200 is not declared (declared: 204)',
    ]);
    assert.deepEqual(problems(check, 'GET', '/things/a%2Fb/parts/7', answer(201, '')), [
      'svc GET /things/{id}/parts/{part}: status 201 is not declared (declared: 200)',
    ]);
  });

  it("matches paths with or without the servers' base path", () => {
    const check = answerChecker(
      'svc',
      documentWith(
        { '200': { description: 'ok' } },
        {
          servers: [
            {
              url: 'https://{host}/api/{version}',
              variables: { host: { default: 'x' }, version: { default: 'v1' } },
            },
          ],
        },
      ),
    );
    const undeclared = ['svc GET /things/{id}: status 201 is not declared (declared: 200)'];
    assert.deepEqual(problems(check, 'GET', '/api/v1/things/1', answer(201, '')), undeclared);
    assert.deepEqual(problems(check, 'GET', '/things/1', answer(201, '')), undeclared);
    assert.deepEqual(problems(check, 'GET', '/api/v2/things/1', answer(201, '')), []);
  });

  it('checks JSON media types only, and names a JSON one the response does not declare', () => {
    const check = answerChecker('svc', documentWith({ '200': { description: 'ok', ...jsonContent(item) } }));
    assert.deepEqual(
      problems(check, 'GET', '/things/1', answer(200, '<html>', { 'content-type': 'text/html' })),
      [],
    );
    assert.deepEqual(problems(check, 'GET', '/things/1', answer(200, '', json)), []);
    assert.deepEqual(
      problems(
        check,
        'GET',
        '/things/1',
        answer(200, { id: 1 }, { 'content-type': 'application/problem+json' }),
      ),
      [
        'svc GET /things/{id}: content type application/problem+json is not declared (declared: application/json)',
      ],
    );
    assert.deepEqual(problems(check, 'GET', '/things/1', answer(200, { id: 'one' })), [
      'svc GET /things/{id}: body: /id must be integer',
    ]);
  });

  it('reads OpenAPI 3.0 schemas in their dialect: nullable, boolean exclusive bounds, example', () => {
    const schema = {
      type: 'object',
      properties: {
        price: { type: 'number', exclusiveMinimum: true, minimum: 0, nullable: true, example: 1.5 },
        owner: { nullable: true, allOf: [{ $ref: '#/components/schemas/Owner' }] },
        state: { type: 'string', enum: ['open'], nullable: true },
        nullable: { type: 'boolean' },
      },
    };
    const document = documentWith(
      { '200': { description: 'ok', ...jsonContent(schema) } },
      {
        openapi: '3.0.3',
        components: { schemas: { Owner: { type: 'object', required: ['name'], nullable: false } } },
      },
    );
    const check = answerChecker('svc', document);
    const get = (body: unknown) => problems(check, 'GET', '/things/1', answer(200, body));
    assert.deepEqual(get({ price: null, owner: null, state: null, nullable: true }), []);
    assert.deepEqual(get({ price: 2, owner: { name: 'ann' }, state: 'open' }), []);
    assert.deepEqual(get({ price: 0 }), ['svc GET /things/{id}: body: /price must be > 0']);
    assert.equal(get({ owner: {} }).length, 1);
    assert.equal(
      get({ nullable: 'yes' }).length,
      1,
      'a property named nullable is a property, not the keyword',
    );
  });

  it('does not read nullable in an OpenAPI 3.1 document: null must be in the type', () => {
    const check = answerChecker(
      'svc',
      documentWith({ '200': { description: 'ok', ...jsonContent({ type: 'string', nullable: true }) } }),
    );
    assert.deepEqual(problems(check, 'GET', '/things/1', answer(200, null)), [
      'svc GET /things/{id}: body: must be string',
    ]);
  });

  it('says so when a schema cannot be compiled, rather than passing the answer', () => {
    const check = answerChecker(
      'svc',
      documentWith({
        '200': { description: 'ok', ...jsonContent({ $ref: '#/components/schemas/Missing' }) },
      }),
    );
    const [problem, ...more] = problems(check, 'GET', '/things/1', answer(200, { id: 1 }));
    assert.deepEqual(more, []);
    assert.match(problem ?? '', /^svc GET \/things\/\{id\}: body: the schema cannot be compiled \(.*Missing/);
  });
});

describe('the evidence of a violation', () => {
  const evidenceOf = (body: unknown, mask?: (text: string) => string) =>
    answerChecker(
      'svc',
      documentWith({ '200': { description: 'ok' } }),
      mask ? { mask } : {},
    )({ method: 'GET', path: '/things/1' }, answer(500, body))[0]?.evidence ?? assert.fail('no violation');

  it('is the status and the body, with credentials under credential-like keys masked', () => {
    const evidence = evidenceOf({
      user: 'ann',
      password: 'hunter2',
      session: { accessToken: 'eyJhbGciOi', apiKey: 'k-123' },
      headers: { Authorization: 'Bearer abc.def', 'X-API-Key': 'live-key' },
    });
    assert.equal(
      evidence,
      '500 {"user":"ann","password":"***","session":"***","headers":{"Authorization":"***","X-API-Key":"***"}}',
    );
  });

  it('masks tokens and passwords in text, and the secrets the caller knows', () => {
    const evidence = evidenceOf(
      'failed: Authorization: Bearer eyJ.abc.def for amqp://mes:s3cret@broker/v, password=pw1 key k-live-0123456789',
      (text) => text.replaceAll('k-live-0123456789', '***'),
    );
    assert.equal(
      evidence,
      '500 failed: Authorization: Bearer *** for amqp://mes:***@broker/v, password=*** key ***',
    );
  });

  it(`is cut to ${evidenceLength} characters`, () => {
    const evidence = evidenceOf({ text: 'x'.repeat(2000) });
    assert.equal(evidence.length, evidenceLength);
    assert.ok(evidence.endsWith('…'));
  });
});
