import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { NoHttpAnswerError, sendHttp, urlOf } from './http-client.ts';

describe('sendHttp', () => {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      if (request.url === '/base/text') {
        response.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '3' }).end('busy');
        return;
      }
      response.writeHead(201, { 'content-type': 'application/json', 'X-Echo': 'yes' });
      response.end(
        JSON.stringify({
          method: request.method,
          url: request.url,
          type: request.headers['content-type'],
          body,
        }),
      );
    });
  });
  let baseUrl = '';
  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/base/`;
  });
  after(() => server.close());

  it('sends a JSON body to the path under the base URL and parses the JSON answer', async () => {
    const answer = await sendHttp({
      method: 'POST',
      baseUrl,
      path: '/orders?x=1',
      headers: {},
      json: { a: 1 },
    });
    assert.equal(answer.status, 201);
    assert.equal(answer.headers['x-echo'], 'yes');
    assert.deepEqual(answer.body, {
      method: 'POST',
      url: '/base/orders?x=1',
      type: 'application/json',
      body: '{"a":1}',
    });
  });

  it('returns a 5xx with its text body instead of throwing', async () => {
    const answer = await sendHttp({ method: 'GET', baseUrl, path: 'text', headers: {} });
    assert.equal(answer.status, 503);
    assert.equal(answer.body, 'busy');
    assert.equal(answer.headers['retry-after'], '3');
  });

  it('shows the answer observer each answer with its request, path relative to the base URL', async () => {
    const seen: Array<{ request: { method: string; path: string }; status: number }> = [];
    const answer = await sendHttp(
      { method: 'GET', baseUrl, path: 'text', headers: {} },
      { onAnswer: (request, got) => seen.push({ request, status: got.status }) },
    );
    assert.deepEqual(seen, [{ request: { method: 'GET', path: 'text' }, status: 503 }]);
    assert.equal(answer.status, 503);
  });

  it('says which request got no answer', async () => {
    await assert.rejects(
      sendHttp({ method: 'GET', baseUrl: 'http://127.0.0.1:1', path: '/x', headers: {} }),
      (error: unknown) => error instanceof NoHttpAnswerError && /^GET \/x: no answer/.test(error.message),
    );
  });

  it('joins base URLs and paths with one slash', () => {
    assert.equal(urlOf('http://h/crm/', '/v2/orders'), 'http://h/crm/v2/orders');
    assert.equal(urlOf('http://h', 'v2'), 'http://h/v2');
  });
});
