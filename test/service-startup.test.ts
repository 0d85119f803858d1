// The reference services may start beside their broker and database, before the run's vhost and
// database exist (the harness starts everything at once): they wait for them, then work normally.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createMesClient } from '../src/drivers/mes-client.ts';
import { eventually } from '../src/wait/eventually.ts';
import { type ReservedBackend, reserveIsolatedBackend } from './support/backend.ts';
import { apiKeys, placeOrders, serviceEnv } from './support/reference-stack.ts';
import { type ServiceName, type ServiceProcess, startService } from './support/service-process.ts';

describe('services started before their vhost and database exist', { timeout: 120_000 }, () => {
  const started: ServiceProcess[] = [];
  const reserved: ReservedBackend[] = [];
  after(async () => {
    await Promise.all(started.map((service) => service.kill()));
    await Promise.all(reserved.map(({ backend }) => backend.dispose()));
  });

  it('wait for the database, then for the broker, and price an order once both exist', async () => {
    const pending = reserveIsolatedBackend('startup');
    reserved.push(pending);
    const said = new Set<string>();
    const names: ServiceName[] = ['crm', 'mes', 'pricing'];
    const starting = names.map((name) =>
      startService(name, serviceEnv(name, pending.backend), {
        readyWithin: 60_000,
        onLog: (entry) => said.add(`${name}: ${String(entry.msg)}`),
      }),
    );
    for (const start of starting)
      start.then(
        (service) => started.push(service),
        () => {},
      );
    const saidAll = (lines: string[]) =>
      eventually(() => lines.every((line) => said.has(line)) || undefined, {
        within: 30_000,
        description: `the services saying ${lines.join('; ')} (said: ${[...said].join('; ')})`,
      });

    await saidAll(['crm: waiting for the database', 'mes: waiting for the database']);
    await pending.createDatabase();
    await saidAll([
      'crm: waiting for the broker',
      'mes: waiting for the broker',
      'pricing: waiting for the broker',
    ]);
    await pending.createVhost();
    const [crm, mes] = await Promise.all(starting);
    assert.ok(crm && mes);

    for (const service of [crm, mes]) {
      await eventually(async () => ((await fetch(`${service.url}/health/ready`)).ok ? true : undefined), {
        within: 30_000,
        description: `${service.name} ready once its vhost and database exist`,
      });
    }
    const [id] = await placeOrders(crm, 1, {
      key: apiKeys.b2cWeb.key,
      customer: 'late-backend',
      sku: 'LAMP',
    });
    assert.ok(id);
    const order = await createMesClient(mes.url).waitForStatus(id, 'priced', { within: 30_000 });
    assert.ok((order.totalCents ?? 0) > 0, 'the order got a price');
  });

  it('a database that never appears stops the service after STARTUP_WAIT_MS, naming the wait and the reason', async () => {
    const pending = reserveIsolatedBackend('never');
    reserved.push(pending);
    await assert.rejects(
      startService('mes', serviceEnv('mes', pending.backend, { STARTUP_WAIT_MS: '1500' })),
      (error: Error) =>
        /exited with 1/.test(error.message) &&
        /did not accept a session within 1500 ms \(STARTUP_WAIT_MS\)/.test(error.message) &&
        /does not exist/.test(error.message),
    );
  });
});
