import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { contractCache, contractCacheDir } from './contract-cache.ts';
import { readAsyncApi, readOpenApi } from './contracts.ts';

const asyncapi = `asyncapi: 3.0.0
info: { title: cache test, version: 1.0.0 }
channels:
  created:
    address: order.created
    messages:
      created:
        payload: { type: object, properties: { orderId: { type: string } } }
`;

const openapi = (title: string) =>
  JSON.stringify({ openapi: '3.0.3', info: { title, version: '1' }, paths: {} });

function folder(): string {
  return mkdtempSync(join(tmpdir(), 'mes-e2e-contract-cache-'));
}

describe('the cache of checked contracts', () => {
  it('gives a document checked before without checking it again', async () => {
    const dir = folder();
    const file = join(dir, 'asyncapi.yaml');
    writeFileSync(file, asyncapi);
    const cache = contractCache(join(dir, 'cache'));
    const checked = await readAsyncApi(file, 'contracts.asyncapi', cache);
    assert.equal(typeof checked, 'object');
    assert.equal(readdirSync(join(dir, 'cache')).length, 1, 'the checked document is kept');
    const again = cache.get('asyncapi', asyncapi);
    assert.deepEqual({ file, document: again }, checked);
  });

  it('misses when the text changes, and never keeps a document that failed its check', async () => {
    const dir = folder();
    const file = join(dir, 'openapi.json');
    const cache = contractCache(join(dir, 'cache'));
    writeFileSync(file, openapi('first'));
    assert.equal(typeof (await readOpenApi(file, 'contracts.openapi.crm', cache)), 'object');
    assert.equal(cache.get('openapi', openapi('second')), undefined);
    writeFileSync(file, JSON.stringify({ openapi: '3.0.3', info: { title: 'no paths' } }));
    const failed = await readOpenApi(file, 'contracts.openapi.crm', cache);
    assert.match(String(failed), /not a valid OpenAPI document/);
    assert.equal(readdirSync(join(dir, 'cache')).length, 1, 'only the valid document is kept');
  });

  it('does not keep a document that refers to another file, whose changes its key would miss', () => {
    const dir = folder();
    const cache = contractCache(join(dir, 'cache'));
    const text = JSON.stringify({ openapi: '3.0.3', paths: { '/a': { $ref: 'paths.json#/a' } } });
    cache.set('openapi', text, { openapi: '3.0.3' });
    assert.equal(cache.get('openapi', text), undefined);
    const local = JSON.stringify({ openapi: '3.0.3', components: { a: { $ref: '#/components/b' } } });
    cache.set('openapi', local, { openapi: '3.0.3' });
    assert.deepEqual(cache.get('openapi', local), { openapi: '3.0.3' });
  });

  it('lives in $MES_E2E_CACHE_DIR, else the per-user cache', () => {
    assert.equal(contractCacheDir({ MES_E2E_CACHE_DIR: '/c', HOME: '/h' }), '/c/contracts');
    assert.equal(contractCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' }), '/x/mes-e2e/contracts');
    assert.equal(contractCacheDir({ HOME: '/h' }), '/h/.cache/mes-e2e/contracts');
    assert.equal(contractCacheDir({}), undefined);
  });
});
