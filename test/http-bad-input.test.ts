// Every reference service answers malformed paths, query strings, headers and bodies as the client's
// mistake (a 4xx with a JSON error body), never with a 5xx; a genuine failure of its own stays a 500.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { databaseOf, httpBaseUrlOf } from '../src/drivers/endpoints.ts';
import type { EnvironmentRecord } from '../src/environment/environment.ts';
import { apiKey, startTestEnvironment, type TestEnvironment } from './support/test-environment.ts';

type ServiceName = 'crm' | 'mes' | 'pricing';

interface BadRequest {
  method: string;
  /** Sent as written: node:http keeps "/./", "%2e%2e" and "%zz", which fetch would resolve or refuse. */
  path: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** What is wrong with the request, when method and path do not say it. */
  label?: string;
  /** The exact answer, where one is specified; otherwise any answer below 500 will do. */
  expect?: { status: number; error?: string };
}

interface Answer {
  status: number;
  body: string;
}

const answerWithinMs = 10_000;
const json = { 'content-type': 'application/json' };
/** Stands for a CRM client's API key in the table; the environment's real key is sent (withKeys). */
const keyOf = (client: string) => `{api-key:${client}}`;
const crmKey = { 'x-api-key': keyOf('b2c-web') };
const someOrderId = '00000000-0000-4000-8000-000000000000';
const longSegment = 'a'.repeat(4_000);
const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const shown = (path: string) => (path.length > 80 ? `${path.slice(0, 40)}… (${path.length} chars)` : path);

/** Paths that start with "//": a service answers them 404, as any path it has no route for. */
function doubleSlashCases(service: ServiceName): BadRequest[] {
  // Pricing keeps fastify's own 404 body; CRM and MES answer their not_found.
  const notFound = service === 'pricing' ? { status: 404 } : { status: 404, error: 'not_found' };
  return ['//', '//x', '//api/orders', '///'].flatMap((path) => [
    { method: 'GET', path, expect: notFound },
    { method: 'HEAD', path, expect: { status: 404 } },
  ]);
}

/** Malformed, non-canonical, traversing or over-long paths, and encoded NUL and non-UTF-8 bytes. */
const malformedPaths = [
  '/%',
  '/%zz',
  '/..%2f',
  '/..%2f..%2fetc%2fpasswd',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/./',
  '/.',
  '/%00',
  '/a%00b',
  '/%C3%A9t%C3%A9',
  '/%C3%28',
  '/%5c..%5cetc',
  `/${longSegment}`,
  '/health//live',
  '/health/live/',
  '/health/%00',
];

const malformedPathCases: BadRequest[] = malformedPaths.flatMap((path) => [
  { method: 'GET', path },
  { method: 'HEAD', path },
]);

/** Headers a client may get wrong, on a GET the service answers. */
const badHeaders: Array<{ label: string; headers: Record<string, string | string[]> }> = [
  { label: 'a 12 kB header, within node’s limit', headers: { 'x-filler': 'x'.repeat(12_000) } },
  { label: 'two X-API-Key headers', headers: { 'x-api-key': [keyOf('b2c-web'), keyOf('b2b-portal')] } },
  { label: 'a 10 kB X-API-Key', headers: { 'x-api-key': 'k'.repeat(10_000) } },
  { label: 'a Latin-1 X-API-Key', headers: { 'x-api-key': 'clé-inconnue-ÿ' } },
  { label: 'an over-long Idempotency-Key', headers: { ...crmKey, 'idempotency-key': 'i'.repeat(201) } },
  { label: 'an unparseable content type without a body', headers: { ...crmKey, 'content-type': ';;;' } },
  { label: 'a nonsense Accept', headers: { ...crmKey, accept: 'nonsense/*;q=abc' } },
  { label: 'a malformed Accept-Encoding', headers: { ...crmKey, 'accept-encoding': 'gzip;q=abc, br;q=2' } },
];

const headerCases = (path: string): BadRequest[] =>
  badHeaders.map(({ label, headers }) => ({ method: 'GET', path, headers, label }));

/** Bodies nothing accepts as sent. Fastify parses a body before it routes, so every path meets them. */
const badBodies: Array<{ label: string; headers: Record<string, string>; body: string | Buffer }> = [
  { label: 'an empty body with a JSON content type', headers: json, body: '' },
  { label: 'malformed JSON', headers: json, body: '{"customer": ' },
  { label: 'JSON null', headers: json, body: 'null' },
  { label: 'an array instead of an object', headers: json, body: '[]' },
  { label: 'a JSON string', headers: json, body: '"order"' },
  { label: 'a __proto__ key', headers: json, body: '{"__proto__":{"admin":true}}' },
  {
    label: 'a constructor.prototype key',
    headers: json,
    body: '{"constructor":{"prototype":{"admin":true}}}',
  },
  { label: '100k nested arrays', headers: json, body: `${'['.repeat(100_000)}${']'.repeat(100_000)}` },
  {
    label: '50k nested __proto__ objects',
    headers: json,
    body: `${'{"__proto__":'.repeat(50_000)}1${'}'.repeat(50_000)}`,
  },
  { label: 'bytes that are not UTF-8', headers: json, body: Buffer.from([0xff, 0xfe, 0x7b, 0x7d]) },
  { label: 'a byte order mark', headers: json, body: '\ufeff{}' },
  { label: 'a lone surrogate escape', headers: json, body: '{"a":"\\ud800"}' },
  { label: 'text/plain', headers: { 'content-type': 'text/plain' }, body: 'hello' },
  { label: 'no content type', headers: {}, body: 'hello' },
  { label: 'an unparseable content type', headers: { 'content-type': ';;;' }, body: '{}' },
  { label: 'charset=utf-16', headers: { 'content-type': 'application/json; charset=utf-16' }, body: '{}' },
  { label: 'charset=latin1', headers: { 'content-type': 'application/json; charset=latin1' }, body: '{}' },
  { label: 'a bogus Content-Encoding', headers: { ...json, 'content-encoding': 'gzip' }, body: '{}' },
  {
    label: 'a body over the 1 MiB limit',
    headers: json,
    body: JSON.stringify({ pad: 'x'.repeat(1_100_000) }),
  },
];

const bodyCases = (path: string, headers: Record<string, string> = {}): BadRequest[] =>
  badBodies.map((bad) => ({
    method: 'POST',
    path,
    headers: { ...headers, ...bad.headers },
    body: bad.body,
    label: bad.label,
  }));

const invalidQuery = { status: 400, error: 'invalid_query' };
const invalidCursor = { status: 400, error: 'invalid_cursor' };

/** Query strings for the MES order list: bad limits, filters and cursors, duplicates, arrays, sheer size. */
const mesListQueries: Array<[string, BadRequest['expect']]> = [
  ['limit=-1', invalidQuery],
  ['limit=0', invalidQuery],
  ['limit=1e9', invalidQuery],
  ['limit=abc', invalidQuery],
  ['limit=1.5', invalidQuery],
  ['limit=Infinity', invalidQuery],
  ['limit=-Infinity', invalidQuery],
  ['limit=99999999999999999999999', invalidQuery],
  ['limit=', invalidQuery],
  ['limit=1&limit=2', invalidQuery],
  ['limit[]=1', invalidQuery],
  ['status=lost', invalidQuery],
  ['status=priced&status=received', invalidQuery],
  ['segment[]=b2c', invalidQuery],
  ['customer=%00', invalidQuery],
  ['customer=a%00b', invalidQuery],
  [`customer=${'c'.repeat(65)}`, invalidQuery],
  ['customer=%ED%A0%80', undefined],
  ['customer=%zz', undefined],
  ['unknown=1', invalidQuery],
  ['%zz=1', undefined],
  [`${'a=1&'.repeat(2_500)}limit=5`, undefined],
  ['after=', undefined],
  ['after=abc', invalidCursor],
  ['after=%zz', invalidCursor],
  [`after=${'A'.repeat(5_000)}`, invalidQuery],
  [`after=${cursorOf({})}`, invalidCursor],
  [`after=${cursorOf([1, 2])}`, invalidCursor],
  [`after=${cursorOf(['2026-01-01T00:00:00+00:00', 'not-an-order-id'])}`, invalidCursor],
  [`after=${cursorOf(['2026-01-01T00:00:00+00:00', `${someOrderId}\u0000`])}`, invalidCursor],
  [`after=${cursorOf(['2026-01-01T00:00:00+00:00', '------------------------------------'])}`, invalidCursor],
  [`after=${cursorOf(['1', someOrderId])}`, invalidCursor],
  [`after=${cursorOf(['2026-02-31T00:00:00+00:00', someOrderId])}`, invalidCursor],
  [`after=${cursorOf(['2026-01-01T24:00:00+00:00', someOrderId])}`, invalidCursor],
  [`after=${cursorOf(['99999-01-01T00:00:00Z', someOrderId])}`, invalidCursor],
  [`after=${cursorOf(['2026-01-01T00:00:00+99:00', someOrderId])}`, invalidCursor],
  [`after=${cursorOf(['2026-01-01T00:00:00.123456+00:00', someOrderId])}`, { status: 200 }],
];

const orderNotFound = { status: 404, error: 'order_not_found' };
const notFound = { status: 404, error: 'not_found' };

function mesCases(): BadRequest[] {
  return [
    ...doubleSlashCases('mes'),
    ...malformedPathCases,
    ...mesListQueries.map(([query, expect]) => ({ method: 'GET', path: `/api/orders?${query}`, expect })),
    { method: 'GET', path: '/api/orders/------------------------------------', expect: orderNotFound },
    { method: 'GET', path: '/api/orders/00000000-0000-0000-0000-00000000000-', expect: orderNotFound },
    { method: 'GET', path: '/api/orders/%00', expect: orderNotFound },
    { method: 'GET', path: `/api/orders/${longSegment}`, expect: { status: 404 } },
    { method: 'GET', path: '/api/orders/%zz' },
    { method: 'GET', path: '/api/orders//', expect: notFound },
    { method: 'GET', path: '/vendor/chart.js//chart.umd.min.js', expect: notFound },
    { method: 'GET', path: '/vendor/chart.js/%2e%2e/package.json', expect: notFound },
    { method: 'GET', path: '/vendor/chart.js/..%2fpackage.json', expect: notFound },
    { method: 'GET', path: '/index.html/.', expect: notFound },
    { method: 'GET', path: '/index.html%00', expect: notFound },
    { method: 'GET', path: '/dashboard.css/..', expect: notFound },
    { method: 'GET', path: '/api/metrics?%zz=1&limit=-1&limit=x' },
    { method: 'GET', path: '/api/orders/events?%zz=1&after=nonsense' },
    { method: 'GET', path: '/health/ready?x=1&x=2&%zz' },
    { method: 'GET', path: '/index.html', headers: { range: 'bytes=abc' }, label: 'a malformed Range' },
    {
      method: 'GET',
      path: '/index.html',
      headers: { range: 'bytes=999999999-' },
      label: 'a Range past the end',
    },
    {
      method: 'GET',
      path: '/',
      headers: { 'if-modified-since': 'yesterday' },
      label: 'a bad If-Modified-Since',
    },
    ...headerCases('/api/orders'),
    ...bodyCases('/api/orders'),
    ...bodyCases('/'),
  ];
}

const validV2Order = {
  customer: { id: 'bad-input' },
  lines: [{ sku: 'LAMP', quantity: 1 }],
  currency: 'EUR',
};
const validationFailed = { status: 400, error: 'validation_failed' };

const crmShapeCase = (path: string, label: string, body: unknown): BadRequest => ({
  method: 'POST',
  path,
  headers: { ...crmKey, ...json },
  body: JSON.stringify(body),
  label,
  expect: validationFailed,
});

/** Well-formed JSON of the wrong shape for each CRM order version. */
const crmShapeCases: BadRequest[] = [
  { label: 'fields of the wrong types', body: { customer: 'c', lines: {}, currency: 1 } },
  { label: 'a null line', body: { ...validV2Order, lines: [null] } },
  { label: 'a quantity given as text', body: { ...validV2Order, lines: [{ sku: 'LAMP', quantity: '1' }] } },
  { label: 'a NUL in the customer id', body: { ...validV2Order, customer: { id: 'c\u0000' } } },
  { label: '101 lines', body: { ...validV2Order, lines: Array(101).fill({ sku: 'LAMP', quantity: 1 }) } },
  { label: 'a 100 kB extra field', body: { ...validV2Order, note: 'n'.repeat(100_000) } },
].flatMap(({ label, body }) => ['/v1/orders', '/v2/orders'].map((path) => crmShapeCase(path, label, body)));

const postValidOrder = (
  label: string,
  headers: Record<string, string | string[]>,
  expect?: BadRequest['expect'],
): BadRequest => ({
  method: 'POST',
  path: '/v2/orders',
  headers: { ...json, ...headers },
  body: JSON.stringify(validV2Order),
  label,
  expect,
});

function crmCases(): BadRequest[] {
  return [
    ...doubleSlashCases('crm'),
    ...malformedPathCases,
    ...crmShapeCases,
    crmShapeCase('/v1/orders', 'a v2 body', validV2Order),
    crmShapeCase('/v2/orders', 'a v1 body', { customerId: 'c', items: [{ productCode: 'LAMP', qty: 1 }] }),
    {
      method: 'POST',
      path: '/v2/orders',
      headers: { ...crmKey, ...json },
      body: '{"customer":{"id":"c"},"lines":[{"sku":"LAMP","quantity":1e400}],"currency":"EUR"}',
      label: 'a quantity that overflows to Infinity',
      expect: validationFailed,
    },
    postValidOrder('no X-API-Key', {}, { status: 401, error: 'missing_api_key' }),
    postValidOrder('an empty X-API-Key', { 'x-api-key': '' }, { status: 401, error: 'missing_api_key' }),
    postValidOrder(
      'an unknown X-API-Key',
      { 'x-api-key': 'x'.repeat(20) },
      { status: 401, error: 'unknown_api_key' },
    ),
    postValidOrder('an empty Idempotency-Key', { ...crmKey, 'idempotency-key': '' }, validationFailed),
    postValidOrder('two Idempotency-Key headers', { ...crmKey, 'idempotency-key': ['one', 'two'] }),
    postValidOrder('a Latin-1 Idempotency-Key', { ...crmKey, 'idempotency-key': 'clé-ÿ-1' }),
    postValidOrder('a bad X-Correlation-Id', { ...crmKey, 'x-correlation-id': 'not ok!' }, validationFailed),
    { method: 'GET', path: '/v2/orders/not-an-order-id', headers: crmKey, expect: orderNotFound },
    {
      method: 'GET',
      path: '/v2/orders/------------------------------------',
      headers: crmKey,
      expect: orderNotFound,
    },
    { method: 'GET', path: '/v1/orders/%00', headers: crmKey, expect: orderNotFound },
    { method: 'GET', path: `/v2/orders/${longSegment}`, headers: crmKey },
    { method: 'GET', path: '/v2/orders/%zz', headers: crmKey },
    { method: 'GET', path: '/v2/orders//', headers: crmKey },
    { method: 'GET', path: '/v1//orders', headers: crmKey },
    { method: 'GET', path: `/v2/orders/${someOrderId}?a=1&a=2&%zz&id[]=x`, headers: crmKey },
    {
      method: 'GET',
      path: '/v9/orders',
      headers: crmKey,
      expect: { status: 404, error: 'unknown_api_version' },
    },
    { method: 'GET', path: '/openapi.json?%zz=1&format[]=yaml' },
    { method: 'GET', path: '/health/ready?x=1&x=2&%zz' },
    ...headerCases(`/v2/orders/${someOrderId}`),
    ...bodyCases('/v2/orders', crmKey),
    ...bodyCases('/v1/orders', crmKey),
  ];
}

function pricingCases(): BadRequest[] {
  return [
    ...doubleSlashCases('pricing'),
    ...malformedPathCases,
    { method: 'GET', path: '/health/ready?x=1&x=2&%zz' },
    { method: 'GET', path: '/health/live?limit=-1&after=%zz' },
    ...headerCases('/health/live'),
    ...bodyCases('/health/live'),
  ];
}

const casesByService: Record<ServiceName, BadRequest[]> = {
  crm: crmCases(),
  mes: mesCases(),
  pricing: pricingCases(),
};

/** One request on its own connection, exactly as written; an event stream's answer is its status. */
/** The headers with every API key placeholder replaced by that client's key in the environment. */
function withKeys(record: EnvironmentRecord, headers: BadRequest['headers'] = {}): BadRequest['headers'] {
  const real = (value: string) =>
    value.replace(/^\{api-key:(.+)\}$/, (_, client: string) => apiKey(record, client));
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.map(real) : real(value),
    ]),
  );
}

function send(baseUrl: string, request: BadRequest): Promise<Answer> {
  const { hostname, port } = new URL(baseUrl);
  const length =
    request.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(request.body)) };
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      {
        hostname,
        port,
        method: request.method,
        path: request.path,
        headers: { ...request.headers, ...length },
        agent: false,
        signal: AbortSignal.timeout(answerWithinMs),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        // A live event stream never ends: once its head is in, the answer is known.
        if (response.headers['content-type']?.startsWith('text/event-stream')) {
          response.destroy();
          return resolve({ status, body: '' });
        }
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

function isErrorBody(value: unknown): value is { error: string; message: string } {
  const body = value as { error?: unknown; message?: unknown } | null;
  return typeof body?.error === 'string' && typeof body.message === 'string';
}

function errorBodyOf(text: string): { error: string; message: string } | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return isErrorBody(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function describeRequest(service: ServiceName, request: BadRequest): string {
  return `${service} ${request.method} ${shown(request.path)}${request.label ? ` (${request.label})` : ''}`;
}

function checkAnswer(service: ServiceName, request: BadRequest, answer: Answer): void {
  const seen = `${describeRequest(service, request)} answered ${answer.status} ${answer.body.slice(0, 300)}`;
  assert.ok(answer.status < 500, `a client's mistake is not a server error: ${seen}`);
  if (request.expect) assert.equal(answer.status, request.expect.status, seen);
  if (answer.status < 400 || request.method === 'HEAD') return;
  const body = errorBodyOf(answer.body);
  assert.ok(body, `a 4xx answer carries a JSON {error, message}: ${seen}`);
  if (request.expect?.error) assert.equal(body.error, request.expect.error, seen);
}

describe('bad input over HTTP', { timeout: 300_000 }, () => {
  let environment: TestEnvironment;
  let record: EnvironmentRecord;

  before(async () => {
    // The CRM cases all use one key: lift its rate limit, so that a 429 does not hide an answer.
    environment = await startTestEnvironment({
      components: { crm: { source: 'process', env: { CRM_RATE_LIMIT_REQUESTS: '1000000' } } },
    });
    record = environment.record;
  });
  after(() => environment?.stop());

  for (const [service, requests] of Object.entries(casesByService) as Array<[ServiceName, BadRequest[]]>) {
    describe(service, () => {
      for (const request of requests) {
        it(describeRequest(service, request), async () => {
          const sent = { ...request, headers: withKeys(record, request.headers) };
          const answer = await send(httpBaseUrlOf(record.endpoints, service), sent).catch((error: Error) =>
            assert.fail(`${describeRequest(service, request)} got no answer: ${error.message}`),
          );
          checkAnswer(service, request, answer);
        });
      }
    });
  }

  it('mes still answers 500 internal_error when its own database fails it', async () => {
    const db = new pg.Client({ connectionString: databaseOf(record.endpoints).databaseUrl });
    await db.connect();
    try {
      // A table gone is MES's failure, not the client's: the fixes above must not hide it as a 4xx.
      await db.query('alter table mes.orders rename to orders_gone');
      const answer = await send(httpBaseUrlOf(record.endpoints, 'mes'), {
        method: 'GET',
        path: '/api/orders',
      });
      assert.equal(answer.status, 500, `GET /api/orders answered ${answer.status} ${answer.body}`);
      assert.equal(errorBodyOf(answer.body)?.error, 'internal_error');
    } finally {
      await db.query('alter table mes.orders_gone rename to orders');
      await db.end();
    }
  });
});
