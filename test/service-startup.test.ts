// The reference services may start beside their broker and database, before the run's vhost and
// database exist (the harness starts everything at once): they wait for them, then work normally.
// Each service runs as the product's process source runs it (the local profile's command, on a port
// of its own, logging to a file), on a vhost and database this test creates when it chooses.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type ProcessComponent, profileDefaults } from '../src/config/defaults.ts';
import { createCrmClient } from '../src/drivers/crm-client.ts';
import { createMesClient } from '../src/drivers/mes-client.ts';
import {
  killProcess,
  processReady,
  type RunningProcess,
  readinessOf,
  spawnProcess,
} from '../src/drivers/processes.ts';
import { type ComponentLogs, createComponentLogs } from '../src/environment/component-logs.ts';
import {
  createDatabase,
  createVhost,
  deleteVhost,
  dropDatabase,
  withPath,
} from '../src/environment/isolation.ts';
import { readyOrExplain } from '../src/environment/readiness.ts';
import { processSpecOf, type ServiceName } from '../src/environment/services.ts';
import { eventually } from '../src/wait/eventually.ts';
import { infrastructureVariables } from './support/infrastructure.ts';
import { placeOrders } from './support/place-orders.ts';
import { logEntries } from './support/service-log.ts';

const shared = {
  amqpUrl: process.env[infrastructureVariables.amqp] ?? '',
  managementUrl: process.env[infrastructureVariables.management] ?? '',
  databaseUrl: process.env[infrastructureVariables.database] ?? '',
};
const apiKeys = [
  { name: 'b2c-web', key: `test-key-b2c-${randomBytes(8).toString('hex')}`, segment: 'b2c' },
] as const;

/** A vhost and a database named, not created: the test creates them when it wants. */
function reserveBackend() {
  const name = `startup_${randomBytes(4).toString('hex')}`;
  const broker = new URL(shared.amqpUrl);
  return {
    name,
    /** What the process source gives each service to reach them. */
    env: {
      AMQP_URL: withPath(shared.amqpUrl, name),
      DATABASE_URL: withPath(shared.databaseUrl, name),
      RABBITMQ_MANAGEMENT_URL: shared.managementUrl,
      RABBITMQ_VHOST: name,
      CRM_API_KEYS: JSON.stringify(apiKeys),
    },
    createVhost: () => createVhost(shared.managementUrl, name, decodeURIComponent(broker.username)),
    createDatabase: () => createDatabase(shared.databaseUrl, name),
    async remove() {
      await deleteVhost(shared.managementUrl, name);
      await dropDatabase(shared.databaseUrl, name);
    },
  };
}

describe('services started before their vhost and database exist', { timeout: 120_000 }, () => {
  const logDir = mkdtempSync(join(tmpdir(), 'mes-e2e-startup-'));
  const started: RunningProcess[] = [];
  const reserved: Array<ReturnType<typeof reserveBackend>> = [];
  after(async () => {
    await Promise.all(started.map((running) => killProcess(running.record.pid)));
    await Promise.all(reserved.map((backend) => backend.remove()));
    rmSync(logDir, { recursive: true, force: true });
  });

  /** Each test's services log to files of their own. */
  const logsOf = (test: string) =>
    createComponentLogs(join(logDir, test), [new URL(shared.amqpUrl).password, apiKeys[0].key]);

  /** Starts the service as a process and resolves to its URL once it is ready; a failure carries its log. */
  async function startService(name: ServiceName, env: Record<string, string>, logs: ComponentLogs) {
    const component = profileDefaults('local', {})[name] as ProcessComponent;
    const spec = await processSpecOf(component, env, logs.file(name));
    const running = await spawnProcess(spec);
    started.push(running);
    await readyOrExplain({ logs, onProgress: () => {} }, name, readinessOf(spec), 60_000, () =>
      processReady(running, { within: 60_000 }),
    );
    return `http://127.0.0.1:${spec.port}`;
  }

  it('wait for the database, then for the broker, and price an order once both exist', async () => {
    const pending = reserveBackend();
    reserved.push(pending);
    const logs = logsOf('late-backend');
    const names: ServiceName[] = ['crm', 'mes', 'pricing'];
    const starting = names.map((name) => startService(name, pending.env, logs));
    for (const start of starting) start.catch(() => {});
    const said = () =>
      new Set(
        names.flatMap((name) => logEntries(logs.file(name)).map((entry) => `${name}: ${String(entry.msg)}`)),
      );
    const saidAll = (lines: string[]) =>
      eventually(() => lines.every((line) => said().has(line)) || undefined, {
        within: 30_000,
        description: `the services saying ${lines.join('; ')} (said: ${[...said()].join('; ')})`,
      });

    await saidAll(['crm: waiting for the database', 'mes: waiting for the database']);
    await pending.createDatabase();
    await saidAll([
      'crm: waiting for the broker',
      'mes: waiting for the broker',
      'pricing: waiting for the broker',
    ]);
    await pending.createVhost();
    // Each resolves once its service is ready, which it is only once its vhost and database exist.
    const [crmUrl = '', mesUrl = ''] = await Promise.all(starting);

    const [id] = await placeOrders(createCrmClient(crmUrl), 1, {
      apiKey: apiKeys[0].key,
      customer: 'late-backend',
      sku: 'LAMP',
    });
    assert.ok(id);
    const order = await createMesClient(mesUrl).waitForStatus(id, 'priced', { within: 30_000 });
    assert.ok((order.totalCents ?? 0) > 0, 'the order got a price');
  });

  it('a database that never appears stops the service after STARTUP_WAIT_MS, naming the wait and the reason', async () => {
    const pending = reserveBackend();
    reserved.push(pending);
    await assert.rejects(
      startService('mes', { ...pending.env, STARTUP_WAIT_MS: '1500' }, logsOf('never')),
      (error: Error) =>
        /the process ended \(exit code 1\) before it was ready/.test(error.message) &&
        /did not accept a session within 1500 ms \(STARTUP_WAIT_MS\)/.test(error.message) &&
        /does not exist/.test(error.message),
    );
  });
});
