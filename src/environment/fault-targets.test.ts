// The fault targets a real environment hands the chaos driver, and the driver's handles on them: the
// local profile (services as processes of this machine) on the test run's broker and database. Pause
// freezes a service, stop ends it, start brings it back under a new pid that the target follows; a
// component given by URL refuses. The targets survive a structured clone, as cucumber's workers get them.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { infrastructureVariables } from '../../test/support/infrastructure.ts';
import { loadRunPlan } from '../config/load.ts';
import { componentHandle } from '../drivers/component-handles.ts';
import { httpBaseUrlOf } from '../drivers/endpoints.ts';
import { type FaultTargets, faultTargetNamed } from '../drivers/fault-targets.ts';
import { isAlive } from '../drivers/processes.ts';
import { type EnvironmentRecord, type StartedEnvironment, startEnvironment } from './environment.ts';
import { faultTargetsOf } from './fault-targets.ts';
import { newRunId } from './run-id.ts';

describe('fault targets and their handles', { timeout: 120_000 }, () => {
  let environment: StartedEnvironment;
  let record: EnvironmentRecord;
  let targets: FaultTargets;
  const handleOf = (component: string) =>
    componentHandle(faultTargetNamed(targets, component), targets.secrets);

  before(async () => {
    const plan = await loadRunPlan({
      cwd: mkdtempSync(join(tmpdir(), 'mes-e2e-handles-')),
      profile: 'local',
      dockerAnswers: async () => false,
      env: {
        MES_E2E_AMQP_URL: process.env[infrastructureVariables.amqp],
        MES_E2E_RABBITMQ_MANAGEMENT_URL: process.env[infrastructureVariables.management],
        MES_E2E_DATABASE_URL: process.env[infrastructureVariables.database],
      },
    });
    environment = await startEnvironment(plan, { runId: newRunId(), onProgress: () => {} });
    record = environment.record;
    targets = structuredClone(faultTargetsOf(record));
  });
  after(() => environment?.down());

  // A paused or stopped component is given a second to (not) answer; a running one, on a busy machine, more.
  const probe = (url: string, waitMs = 5_000) =>
    fetch(`${url}/health/live`, { signal: AbortSignal.timeout(waitMs) }).then(
      (response) => response.status,
      () => 'no answer',
    );

  it('pauses a process so that it answers nothing, and unpauses it', async () => {
    const pricing = handleOf('pricing');
    assert.equal(pricing.source, 'process');
    await pricing.pause();
    assert.equal(await probe(httpBaseUrlOf(record.endpoints, 'pricing'), 1_000), 'no answer');
    await pricing.unpause();
    await pricing.ready(10_000);
    assert.equal(await probe(httpBaseUrlOf(record.endpoints, 'pricing')), 200);
  });

  it('stops a process, and starts it again on the same port under a new pid that the target follows', async () => {
    const target = faultTargetNamed(targets, 'mes');
    if (target.source !== 'process') assert.fail('mes is a process');
    const mes = handleOf('mes');
    const before = target.process.pid;
    await mes.stop();
    assert.equal(isAlive(before), false);
    assert.equal(await probe(httpBaseUrlOf(record.endpoints, 'mes'), 1_000), 'no answer');
    await mes.start();
    assert.notEqual(target.process.pid, before);
    assert.ok(isAlive(target.process.pid));
    assert.equal(await probe(httpBaseUrlOf(record.endpoints, 'mes')), 200);
  });

  it('finds a process by its labels when another worker started it again', async () => {
    const elsewhere = structuredClone(faultTargetsOf(record));
    const target = faultTargetNamed(elsewhere, 'pricing');
    if (target.source !== 'process') assert.fail('pricing is a process');
    await handleOf('pricing').restart();
    const restarted = faultTargetNamed(targets, 'pricing');
    if (restarted.source !== 'process') assert.fail('pricing is a process');
    // This copy still holds the old pid; the labels lead it to the process running now.
    assert.notEqual(target.process.pid, restarted.process.pid);
    await componentHandle(target).pause();
    assert.equal(target.process.pid, restarted.process.pid);
    assert.equal(await probe(httpBaseUrlOf(record.endpoints, 'pricing'), 1_000), 'no answer');
    await componentHandle(target).unpause();
    await componentHandle(target).ready(10_000);
  });

  it('restarts a process and reads its log tail with credentials masked', async () => {
    const crm = handleOf('crm');
    await crm.restart();
    assert.equal(await probe(httpBaseUrlOf(record.endpoints, 'crm')), 200);
    // A careless service that logs its connection string and a key: the tail must not repeat them.
    const entry = record.processes.find((p) => p.component === 'crm') ?? assert.fail('crm is a process');
    const apiKey = record.endpoints.apiKeys[0]?.key ?? assert.fail('no API key');
    appendFileSync(entry.logFile, `connecting to ${entry.env.DATABASE_URL} with ${apiKey}\n`);
    const tail = await crm.logTail(200);
    assert.match(tail, /"msg":"listening"/);
    assert.match(tail, /connecting to postgres:\/\/[^:]+:\*\*\*@.* with \*\*\*/);
  });

  it('refuses to stop a component given by URL, and says why', async () => {
    const rabbitmq = handleOf('rabbitmq');
    assert.equal(rabbitmq.source, 'url');
    await assert.rejects(rabbitmq.stop(), /rabbitmq is given by URL: mes-e2e does not control it/);
    await rabbitmq.ready(5_000);
  });
});
