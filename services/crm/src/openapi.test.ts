// The CRM's OpenAPI document as a file (services/crm/openapi.json) that a configuration can name:
// it must be exactly the document the CRM serves at /openapi.json, which is built from its route schemas.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Database } from '../../runtime/database.ts';
import { createLogger } from '../../runtime/logger.ts';
import { buildCrmApp } from './app.ts';

const committed = new URL('../openapi.json', import.meta.url);

async function servedDocument(): Promise<unknown> {
  const app = await buildCrmApp({
    // Serving the document touches neither the database nor the API keys.
    db: {} as Database,
    apiClients: [],
    rateLimitWindowMs: 60_000,
    rateLimited: true,
    readiness: {},
    log: createLogger('crm', 'silent'),
  });
  try {
    const answer = await app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(answer.statusCode, 200);
    return answer.json();
  } finally {
    await app.close();
  }
}

describe('the CRM OpenAPI document', () => {
  it('served at /openapi.json is the committed services/crm/openapi.json', async () => {
    const served = await servedDocument();
    // After a deliberate change to the API: CRM_WRITE_OPENAPI=1 node --test services/crm/src/openapi.test.ts,
    // then npm run format (biome lays JSON out its own way; the comparison is of the parsed documents).
    if (process.env.CRM_WRITE_OPENAPI === '1')
      writeFileSync(committed, `${JSON.stringify(served, null, 2)}\n`);
    const file = JSON.parse(readFileSync(committed, 'utf8')) as unknown;
    assert.deepEqual(
      served,
      file,
      'services/crm/openapi.json differs from what the CRM serves: review the change, then rewrite the file with CRM_WRITE_OPENAPI=1 and npm run format',
    );
  });

  it('names every operation a journey can point at', async () => {
    const served = (await servedDocument()) as {
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    const ids = Object.values(served.paths).flatMap((item) =>
      Object.values(item).map((op) => op.operationId),
    );
    assert.deepEqual(ids.sort(), ['getOrderV1', 'getOrderV2', 'placeOrderV1', 'placeOrderV2']);
  });
});
