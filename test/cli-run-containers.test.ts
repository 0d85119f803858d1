// The containers profile on one stack (six containers: the reference stack and its database's read
// replica; about a minute to start here): `mes-e2e env up` brings all six up healthy and reports
// them, a parallel `mes-e2e run` on it writes every report and catches a sabotaged service, fault
// handles act on its containers, and `env down` leaves nothing labelled. A run that starts
// containers of its own removes them.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { componentHandle } from '../src/drivers/component-handles.ts';
import { faultTargetNamed } from '../src/drivers/fault-targets.ts';
import type { EnvironmentRecord } from '../src/environment/environment.ts';
import { faultTargetsOf } from '../src/environment/fault-targets.ts';
import { readRecordFile } from '../src/environment/record-file.ts';
import { budgetSuite } from '../src/report/allure-budgets.ts';
import type { AllureResult } from '../src/report/allure-model.ts';
import { eventually } from '../src/wait/eventually.ts';
import { leftovers } from './support/docker-leftovers.ts';
import { configuredProject } from './support/fixture-project.ts';
import { chromiumMissing, dockerMissing, skipWhenMissing } from './support/needs.ts';
import {
  type CommandResult,
  failureReasonOf,
  repoRoot,
  runCommand,
  runIdFrom,
  runMesE2e,
} from './support/run-cli.ts';

const skip =
  skipWhenMissing('containers-profile run', await dockerMissing()) ||
  skipWhenMissing('containers-profile run (a @ui scenario)', await chromiumMissing());

const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };

interface Summary {
  runId: string;
  verdict: string;
  reasons: string[];
  counts: { scenarios: number; passed: number; failed: number };
  reports: string;
  environment: string;
}

/** testsuite attributes as JUnit readers (CI systems) count them. */
function junitCounts(xml: string) {
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
    testsuite?: {
      tests: string;
      failures: string;
      errors?: string;
      skipped?: string;
      testcase: unknown[] | unknown;
    };
  };
  const suite = parsed.testsuite ?? assert.fail(`no <testsuite> in junit.xml: ${xml.slice(0, 200)}`);
  const cases = Array.isArray(suite.testcase) ? suite.testcase : [suite.testcase];
  return { tests: Number(suite.tests), failures: Number(suite.failures), cases: cases.length };
}

const project = (config?: unknown) => configuredProject(config, 'mes-e2e-containers-');

const componentLogs = [
  'crm.log',
  'mes.log',
  'postgres-replica.log',
  'postgres.log',
  'pricing.log',
  'rabbitmq.log',
];

// One stack for both sides of the profile (each start of six containers costs about a minute): what
// env up brings and reports, and a run on it. The run proves both sides at once: the smoke scenarios
// and the replica's write-burst scenario pass, an MES sabotaged to ack before its commit is blocked by
// the database-down scenario, one that publishes transient messages by the broker killed mid-burst,
// and one that does not fall back to the primary by the replica-stopped scenario (an MES that ignores
// its replica: test/cli-run-promises.test.ts). The whole shipped suite on this profile runs in .ci/run
// (`npx mes-e2e run`).
describe('the containers profile: env up, a run on it, env down', { timeout: 900_000, skip }, () => {
  const cwd = project({
    components: {
      mes: {
        source: 'container',
        env: { MES_FAULT: 'ack-before-commit,transient-publishes,no-replica-fallback' },
      },
    },
  });
  const recordFile = join(cwd, 'reports', 'env', 'current.json');
  const tags = '@smoke or @breaks-postgres or @broker-killed or @needs-postgres-replica';
  const sabotaged = 3;
  let up: CommandResult;
  let runId: string;
  let record: EnvironmentRecord;
  let run: Promise<{ result: CommandResult; summary: Summary }> | undefined;
  const ran = () => {
    run ??= runMesE2e(['run', '--profile', 'containers', '--tags', tags, '--parallel', '2', '--json'], {
      cwd,
      env,
      timeoutMs: 800_000,
    }).then((result) => {
      assert.ok(result.stdout.startsWith('{'), result.stdout + result.stderr);
      return { result, summary: JSON.parse(result.stdout) as Summary };
    });
    return run;
  };

  before(async () => {
    up = await runMesE2e(['env', 'up', '--profile', 'containers'], { cwd, env, timeoutMs: 300_000 });
    assert.equal(up.code, 0, up.stderr);
    runId = runIdFrom(up.stderr);
    record = readRecordFile(recordFile) ?? assert.fail('env up wrote no record');
  });
  // A test that failed half-way leaves the stack up: it goes all the same.
  after(() => runMesE2e(['env', 'down'], { cwd, env }));

  it('env up brings all six components up healthy and reports them, passwords and keys kept out', async () => {
    assert.match(up.stdout, /crm\s+http:\/\/localhost:\d+/);
    for (const component of ['rabbitmq', 'postgres', 'postgres-replica', 'crm', 'mes', 'pricing']) {
      assert.match(
        up.stderr,
        new RegExp(`${component} ready in \\d+\\.\\d s`),
        `${component}'s own start time reported`,
      );
    }
    assert.doesNotMatch(up.stdout, /mes:[0-9a-f]{24}@/, 'passwords are masked');

    const status = await runMesE2e(['env', 'status', '--json'], { cwd, env });
    assert.equal(status.code, 0, status.stdout + status.stderr);
    const report = JSON.parse(status.stdout) as {
      healthy: boolean;
      runId: string;
      components: Array<{ component: string; healthy: boolean }>;
    };
    assert.equal(report.runId, runId);
    assert.deepEqual(report.components.map((c) => [c.component, c.healthy]).sort(), [
      ['crm', true],
      ['mes', true],
      ['postgres', true],
      ['postgres-replica', true],
      ['pricing', true],
      ['rabbitmq', true],
    ]);
    // The database's read replica is shown as what it is: a hot standby, streaming, with its lag.
    const text = await runMesE2e(['env', 'status'], { cwd, env });
    assert.match(
      text.stdout,
      /✔ postgres-replica\s+ready: hot standby of postgres, streaming, replay lag \d+ ms/,
      text.stdout,
    );
    assert.match(
      text.stdout,
      /postgres-replica\s+postgres:\/\/mes:\*\*\*@\S+ {2}\(read replica of postgres\)/,
    );

    const password = new URL(record.endpoints.rabbitmq.amqpUrl).password;
    const logDir = join(cwd, 'reports', runId, 'logs');
    assert.deepEqual(readdirSync(logDir).sort(), componentLogs);
    for (const file of readdirSync(logDir)) {
      const text = readFileSync(join(logDir, file), 'utf8');
      assert.ok(!text.includes(password), `${file} holds the password`);
      for (const { key } of record.endpoints.apiKeys)
        assert.ok(!text.includes(key), `${file} holds an API key`);
    }
    const broker = record.containers.find((c) => c.component === 'rabbitmq') ?? assert.fail('no rabbitmq');
    const interval = await runCommand('docker', [
      'exec',
      broker.id,
      'rabbitmqctl',
      'eval',
      'application:get_env(rabbit, collect_statistics_interval).',
    ]);
    assert.equal(interval.stdout.trim(), '{ok,1000}', 'queue figures refreshed every second');
  });

  it('runs every selected scenario on it in parallel, writes every report, and leaves it up', async () => {
    const { result, summary } = await ran();
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.equal(summary.environment, 'reused', 'the run uses the stack env up keeps');
    assert.doesNotMatch(
      result.stderr,
      /leaving out scenarios/,
      'the containers profile controls every component',
    );
    const listed = await runMesE2e(['list', '--profile', 'containers', '--tags', tags, '--json'], {
      cwd,
      env,
    });
    assert.equal(
      summary.counts.scenarios,
      (JSON.parse(listed.stdout) as unknown[]).length,
      'every scenario ran',
    );
    assert.deepEqual(
      { passed: summary.counts.passed, failed: summary.counts.failed },
      { passed: summary.counts.scenarios - sabotaged, failed: sabotaged },
      'the smoke and write-burst scenarios pass; only the three sabotages are caught',
    );

    const dir = summary.reports;
    for (const file of ['messages.ndjson', 'cucumber.html', 'junit.xml', 'gate.json', 'summary.md']) {
      assert.ok(existsSync(join(dir, file)), `${file} written`);
    }
    const junit = junitCounts(readFileSync(join(dir, 'junit.xml'), 'utf8'));
    assert.deepEqual(junit, {
      tests: summary.counts.scenarios,
      failures: sabotaged,
      cases: summary.counts.scenarios,
    });
    assert.match(readFileSync(join(dir, 'cucumber.html'), 'utf8'), /<html/i);
    const allure = readdirSync(join(dir, 'allure-results'))
      .filter((file) => file.endsWith('-result.json'))
      .map((file) => JSON.parse(readFileSync(join(dir, 'allure-results', file), 'utf8')) as AllureResult);
    const isBudget = (result: AllureResult) => result.labels.some((label) => label.value === budgetSuite);
    const scenarioResults = allure.filter((result) => !isBudget(result));
    assert.equal(
      scenarioResults.length,
      summary.counts.scenarios,
      'one Allure result per scenario (no retries here)',
    );
    // The reference stack's own budgets, each whose figure the run recorded, as results of their own.
    const { budgets } = JSON.parse(readFileSync(join(dir, 'gate.json'), 'utf8')) as {
      budgets: Array<{ figure: string; statistic: string; value: number | null; ok: boolean }>;
    };
    const recorded = budgets.filter((budget) => budget.value !== null);
    assert.ok(recorded.length > 0, 'the smoke orders recorded created-to-priced times');
    assert.deepEqual(
      allure
        .filter(isBudget)
        .map((result) => [result.fullName, result.status])
        .sort(),
      recorded
        .map((budget) => [
          `${budgetSuite}: ${budget.figure} ${budget.statistic}`,
          budget.ok ? 'passed' : 'failed',
        ])
        .sort(),
    );
    assert.match(readFileSync(join(dir, 'summary.md'), 'utf8'), /BLOCK/);

    const report = await runMesE2e(['report'], { cwd, env, timeoutMs: 120_000 });
    assert.equal(report.code, 0, report.stderr);
    assert.ok(existsSync(join(dir, 'allure-report', 'index.html')), 'the Allure HTML report is built');

    const status = await runMesE2e(['env', 'status'], { cwd, env });
    assert.equal(status.code, 0, `the stack is still up and healthy after the run: ${status.stdout}`);
  });

  it('blocks an MES that acks before its commit, and the diagnosis names the hop where orders were lost', async () => {
    const { summary } = await ran();
    assert.match(summary.reasons.join('\n'), /database is down .* FAILED/);
    const diagnoses = readFileSync(join(summary.reports, 'messages.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { attachment?: { fileName?: string; body: string } })
      .filter((envelope) => envelope.attachment?.fileName === 'diagnosis.json')
      .map(
        (envelope) =>
          JSON.parse(envelope.attachment?.body ?? 'null') as {
            orders: Array<{ stopped: string }>;
            logTails: Record<string, string>;
          },
      );
    const diagnosis = diagnoses.find((candidate) =>
      candidate.orders.some((order) => /stopped before "MES received"/.test(order.stopped)),
    );
    assert.ok(diagnosis, `a diagnosis names the hop: ${JSON.stringify(diagnoses.map((d) => d.orders))}`);
    assert.match(diagnosis.logTails.mes ?? '', /message lost|fault injected/);
  });

  it('blocks an MES that publishes transient messages: the broker killed mid-burst loses the queued pricing requests', async () => {
    const { summary } = await ran();
    const reasons = summary.reasons.join('\n');
    assert.match(
      reasons,
      /"The broker killed outright in the middle of a burst loses and duplicates nothing" .* FAILED: \d+ orders priced in MES: not seen within 60000 ms; last seen: \d+ of \d+ not priced yet/,
    );
    // The contract on the wire sees the cause itself: the AsyncAPI document asks for persistent messages.
    assert.match(
      reasons,
      /pricing\.requested .*delivery mode 1, where the send operation asks for 2 \(persistent\)/,
    );
  });

  it('blocks an MES that does not fall back to the primary when its replica stops', async () => {
    const { summary } = await ran();
    assert.match(
      failureReasonOf(
        summary,
        'A replica that stops leaves MES answering from the primary, and the panel says so',
      ),
      /the MES order list answering from the primary: not seen within 5000 ms; last seen: the order list answered 500/,
    );
  });

  it('records in gate.json the image of every component that ran, as Docker knows it', async () => {
    const { summary } = await ran();
    const gateJson = JSON.parse(readFileSync(join(summary.reports, 'gate.json'), 'utf8')) as {
      tested: { components: Array<{ name: string; source: string; image: string; imageId: string }> };
    };
    const names = gateJson.tested.components.map((component) => component.name);
    assert.deepEqual(names, ['crm', 'mes', 'postgres', 'postgres-replica', 'pricing', 'rabbitmq']);
    for (const component of gateJson.tested.components) {
      assert.equal(component.source, 'container', component.name);
      const inspected = await runCommand('docker', [
        'image',
        'inspect',
        '--format',
        '{{.Id}}',
        component.image,
      ]);
      assert.equal(component.imageId, inspected.stdout.trim(), `${component.name} ran ${component.image}`);
    }
  });

  // After the run: a paused or restarted component would have made its scenarios fail.
  it('pauses and restarts its containers through the fault handles, and env status follows', async () => {
    const targets = faultTargetsOf(record);
    const pricing = componentHandle(faultTargetNamed(targets, 'pricing'));
    assert.equal(pricing.source, 'container');
    await pricing.pause();
    const paused = await runMesE2e(['env', 'status', '--json'], { cwd, env });
    assert.equal(paused.code, 3, 'a paused component is not healthy');
    await pricing.unpause();
    await pricing.ready(30_000);
    const broker = record.containers.find((c) => c.component === 'rabbitmq') ?? assert.fail('no rabbitmq');
    const rabbitmq = componentHandle(faultTargetNamed(targets, 'rabbitmq'));
    // The container's log spans its restarts: one more "Server startup complete" is the new boot's.
    const boots = async () => {
      const log = await runCommand('docker', ['logs', broker.id]);
      return (log.stdout + log.stderr).split('Server startup complete').length - 1;
    };
    const bootsBefore = await boots();
    await rabbitmq.restart();
    // The AMQP port answers a moment before RabbitMQ logs the end of its boot.
    await eventually(async () => ((await boots()) > bootsBefore ? true : undefined), {
      within: 30_000,
      description: 'RabbitMQ logging "Server startup complete" after its restart',
    });
    // The same endpoints after the restart (fixed host ports), and the services reconnect to it.
    await eventually(
      async () => ((await runMesE2e(['env', 'status'], { cwd, env })).code === 0 ? true : undefined),
      { within: 60_000, description: 'every component healthy again after the broker restart' },
    );
  });

  it('is kept by env prune and refuses a second env up while it is up', async () => {
    // Named: other test files run beside this one, and their runs are theirs to prune.
    const pruned = await runMesE2e(['env', 'prune', runId], { cwd: project(), env });
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, new RegExp(`kept\\s+${runId} .*: in use by env up`));
    const stillUp = await runMesE2e(['env', 'status'], { cwd, env });
    assert.equal(stillUp.code, 0, 'prune leaves an environment env up keeps');

    const second = await runMesE2e(['env', 'up', '--profile', 'containers'], { cwd, env });
    assert.equal(second.code, 2, 'a second env up refuses while one is up');
    assert.match(second.stderr, /already up/);
  });

  // Its own database; the stack's broker and services by URL; the fixture suite (steps that pass).
  it('a run that starts containers of its own keeps their logs in its report folder and removes them', async () => {
    const { rabbitmq } = record.endpoints;
    const own = project({
      profile: 'containers',
      features: ['features'],
      steps: [join(repoRoot, 'test', 'fixtures', 'steps', '*.ts')],
      components: {
        rabbitmq: { source: 'url', url: rabbitmq.amqpUrl, managementUrl: rabbitmq.managementUrl },
        ...Object.fromEntries(
          ['crm', 'mes', 'pricing'].map((name) => [
            name,
            { source: 'url', url: record.endpoints.services[name]?.url ?? assert.fail(`no ${name}`) },
          ]),
        ),
      },
    });
    mkdirSync(join(own, 'features'));
    cpSync(
      join(repoRoot, 'test', 'fixtures', 'gate', 'clean.feature'),
      join(own, 'features', 'clean.feature'),
    );
    const result = await runMesE2e(['run', '--json'], { cwd: own, env, timeoutMs: 300_000 });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const summary = JSON.parse(result.stdout) as Summary;
    assert.equal(summary.environment, 'started');
    // The database container comes with its replica, as the profile's default.
    assert.deepEqual(readdirSync(join(summary.reports, 'logs')).sort(), [
      'postgres-replica.log',
      'postgres.log',
    ]);
    assert.equal(await leftovers(summary.runId), '', 'containers or network left after the run');
  });

  it('env down removes all six containers and leaves nothing labelled', async () => {
    const down = await runMesE2e(['env', 'down'], { cwd, env });
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, new RegExp(`removed ${runId}: 6 container\\(s\\)`));
    assert.equal(await leftovers(runId), '');
    const afterDown = await runMesE2e(['env', 'status'], { cwd, env });
    assert.equal(afterDown.code, 3);
    assert.match(afterDown.stdout, /no environment is up/);
  });
});
