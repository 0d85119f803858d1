// The reference services' Dockerfiles build on the Node image the defaults name, and the images run
// the pipeline end to end: an order placed on the CRM container is priced in the MES container. The
// product's containers profile builds and starts them, as `mes-e2e env up` does.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createCrmClient } from '../src/drivers/crm-client.ts';
import { httpBaseUrlOf } from '../src/drivers/endpoints.ts';
import { createMesClient } from '../src/drivers/mes-client.ts';
import type { EnvironmentRecord } from '../src/environment/environment.ts';
import { dockerMissing, skipWhenMissing } from './support/needs.ts';
import { runCommand } from './support/run-cli.ts';
import { apiKey, handleOf, startTestEnvironment, type TestEnvironment } from './support/test-environment.ts';

const skip = skipWhenMissing('service image tests', await dockerMissing());

describe('reference service images', { timeout: 600_000, skip }, () => {
  let environment: TestEnvironment;
  let record: EnvironmentRecord;

  before(async () => {
    // Built one at a time from services/*/Dockerfile (the first build caches the shared dependency
    // layer), with the Node image of the defaults as NODE_IMAGE.
    environment = await startTestEnvironment({ profile: 'containers' });
    record = environment.record;
  });
  after(async () => {
    await environment?.stop();
  });

  it('prices an order placed on the CRM container in the MES container', async () => {
    const res = await createCrmClient(httpBaseUrlOf(record.endpoints, 'crm')).placeOrder({
      version: 'v2',
      apiKey: apiKey(record, 'b2c-web'),
      body: {
        customer: { id: 'in-containers' },
        lines: [{ sku: 'SHELF-OAK', quantity: 2 }],
        currency: 'EUR',
      },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const order = await createMesClient(httpBaseUrlOf(record.endpoints, 'mes')).waitForStatus(
      (res.body as { id: string }).id,
      'priced',
      { within: 30_000 },
    );
    assert.equal(order.totalCents, 2 * 18_500);
  });

  it('serves the dashboard page, its script and its charting library from the MES image', async () => {
    const mes = httpBaseUrlOf(record.endpoints, 'mes');
    const page = await fetch(`${mes}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /<title>MES dashboard<\/title>/);
    for (const path of ['/dashboard.js', '/vendor/chart.js/chart.umd.min.js']) {
      const asset = await fetch(`${mes}${path}`);
      assert.equal(asset.status, 200, path);
      assert.match(asset.headers.get('content-type') ?? '', /javascript/, path);
      await asset.arrayBuffer();
    }
    // Only the browser build is served from the library's folder, nothing else of node_modules.
    assert.equal((await fetch(`${mes}/vendor/chart.js/chart.cjs`)).status, 404);
  });

  it('runs as the unprivileged node user and stops cleanly on SIGTERM', async () => {
    const pricing = record.containers.find((c) => c.component === 'pricing') ?? assert.fail('no pricing');
    const whoami = await runCommand('docker', ['exec', pricing.id, 'id', '-un']);
    assert.equal(whoami.stdout.trim(), 'node');
    // The handle's stop gives SIGTERM 15 s before the kill, and says how the container ended.
    assert.equal(
      await handleOf(record, 'pricing').stop(),
      'exit code 0',
      'exit code 0 after SIGTERM, before the kill timeout',
    );
  });
});
