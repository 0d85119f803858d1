// The reference services' Dockerfiles build on the Node image the defaults name, and the images run
// the pipeline end to end: an order placed on the CRM container is priced in the MES container.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GenericContainer, type StartedTestContainer, Wait } from 'testcontainers';
import { defaultImages } from '../src/config/images.ts';
import { createMesClient } from '../src/drivers/mes-client.ts';
import { createIsolatedBackend, type IsolatedBackend } from './support/backend.ts';
import { dockerMissing, skipWhenMissing } from './support/needs.ts';
import { apiKeys, callCrm, serviceEnv } from './support/reference-stack.ts';
import { repoRoot, runCommand } from './support/run-cli.ts';
import type { ServiceName, ServiceProcess } from './support/service-process.ts';

const ports: Record<ServiceName, number> = { crm: 3000, mes: 3001, pricing: 3002 };
// Containers reach the shared broker and database through the host's mapped ports.
const hostAlias = 'host.docker.internal';
const fromContainer = (url: string) => url.replace(/@(localhost|127\.0\.0\.1):/, `@${hostAlias}:`);

const skip = skipWhenMissing('service image tests', await dockerMissing());

describe('reference service images', { timeout: 600_000, skip }, () => {
  let backend: IsolatedBackend;
  const containers: Partial<Record<ServiceName, StartedTestContainer>> = {};

  before(async () => {
    backend = await createIsolatedBackend('images');
    const names: ServiceName[] = ['crm', 'mes', 'pricing'];
    // One at a time: the three builds share the dependency layer, which the first one caches.
    const built: Array<[ServiceName, GenericContainer]> = [];
    for (const name of names) {
      const image = await GenericContainer.fromDockerfile(`${repoRoot}services`, `${name}/Dockerfile`)
        .withBuildArgs({ NODE_IMAGE: defaultImages.node })
        .build(`mes-e2e/${name}:test`, { deleteOnExit: false });
      built.push([name, image]);
    }
    await Promise.all(
      built.map(async ([name, image]) => {
        const env = serviceEnv(name, backend);
        containers[name] = await image
          .withEnvironment(
            Object.fromEntries(Object.entries(env).map(([key, value]) => [key, fromContainer(value)])),
          )
          .withExtraHosts([{ host: hostAlias, ipAddress: 'host-gateway' }])
          .withExposedPorts(ports[name])
          .withLabels({ 'org.mes-e2e.purpose': 'test' })
          .withWaitStrategy(Wait.forHttp('/health/ready', ports[name]).forStatusCode(200))
          .withStartupTimeout(60_000)
          .start();
      }),
    );
  });
  after(async () => {
    await Promise.all(Object.values(containers).map((container) => container?.stop()));
    await backend?.dispose();
  });

  const asService = (name: ServiceName): ServiceProcess => {
    const container = containers[name] ?? assert.fail(`${name} container not started`);
    return { url: `http://${container.getHost()}:${container.getMappedPort(ports[name])}` } as ServiceProcess;
  };

  it('prices an order placed on the CRM container in the MES container', async () => {
    const res = await callCrm(asService('crm'), 'POST', '/v2/orders', {
      key: apiKeys.b2cWeb.key,
      body: {
        customer: { id: 'in-containers' },
        lines: [{ sku: 'SHELF-OAK', quantity: 2 }],
        currency: 'EUR',
      },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const order = await createMesClient(asService('mes').url).waitForStatus(res.body.id as string, 'priced', {
      within: 30_000,
    });
    assert.equal(order.totalCents, 2 * 18_500);
  });

  it('serves the dashboard page, its script and its charting library from the MES image', async () => {
    const mes = asService('mes').url;
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
    const pricing = containers.pricing ?? assert.fail('pricing container not started');
    const whoami = await pricing.exec(['id', '-un']);
    assert.equal(whoami.output.trim(), 'node');
    await pricing.stop({ timeout: 10_000, remove: false });
    delete containers.pricing;
    const state = await runCommand('docker', [
      'inspect',
      '-f',
      '{{.State.Status}} {{.State.ExitCode}}',
      pricing.getId(),
    ]);
    await runCommand('docker', ['rm', '-f', pricing.getId()]);
    assert.equal(state.stdout.trim(), 'exited 0', 'exit code 0 after SIGTERM, before the kill timeout');
  });
});
