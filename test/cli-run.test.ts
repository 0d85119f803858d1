// `mes-e2e run`, `smoke` and `list` through the real executable, on the local profile (the test run's
// broker and database, the reference services as processes): the verdict, the exit code, the reports,
// and an environment that is gone afterwards unless env up keeps it.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { listRunDatabases, listRunVhosts } from '../src/environment/isolation.ts';
import { findLabelledProcesses } from '../src/environment/processes.ts';
import { infrastructureVariables } from './support/infrastructure.ts';
import { repoRoot, runMesE2e } from './support/run-cli.ts';

const shared = {
  amqpUrl: process.env[infrastructureVariables.amqp] ?? '',
  managementUrl: process.env[infrastructureVariables.management] ?? '',
  databaseUrl: process.env[infrastructureVariables.database] ?? '',
};
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
const fixture = (name: string) => join(repoRoot, 'test', 'fixtures', 'features', name);

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mes-e2e-run-'));
  const config = {
    profile: 'local',
    components: {
      rabbitmq: { source: 'url', url: shared.amqpUrl, managementUrl: shared.managementUrl },
      postgres: { source: 'url', url: shared.databaseUrl },
    },
  };
  writeFileSync(join(dir, 'mes-e2e.config.json'), JSON.stringify(config));
  return dir;
}

interface Summary {
  runId: string;
  verdict: 'PROMOTE' | 'BLOCK';
  reasons: string[];
  counts: Record<string, number>;
  reports: string;
  environment: string;
}

async function nothingLeftOf(runId: string): Promise<void> {
  const [vhosts, databases] = await Promise.all([
    listRunVhosts(shared.managementUrl),
    listRunDatabases(shared.databaseUrl),
  ]);
  assert.ok(!vhosts.some((v) => v.name === runId), `vhost ${runId} left`);
  assert.ok(!databases.some((d) => d.name === runId), `database ${runId} left`);
  const processes = findLabelledProcesses().filter((p) => p.labels['org.mes-e2e.run-id'] === runId);
  assert.deepEqual(processes, [], 'service processes left');
}

describe('mes-e2e run', { timeout: 300_000 }, () => {
  it('runs the shipped suite on a fresh environment, writes the reports, promotes, and removes the environment', async () => {
    const cwd = project();
    const result = await runMesE2e(['run', '--json'], { cwd, env, timeoutMs: 180_000 });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const summary = JSON.parse(result.stdout) as Summary;
    assert.equal(summary.verdict, 'PROMOTE');
    assert.equal(summary.environment, 'started');
    assert.ok(summary.counts.scenarios && summary.counts.scenarios >= 3, JSON.stringify(summary.counts));
    assert.equal(summary.counts.passed, summary.counts.scenarios);
    assert.match(
      result.stderr,
      /\[1\/\d+\] ✔ A B2C order placed through API v2/,
      'each scenario is reported as it ends',
    );

    for (const file of ['messages.ndjson', 'cucumber.html', 'junit.xml', 'gate.json']) {
      assert.ok(existsSync(join(summary.reports, file)), `${file} written`);
    }
    const junit = readFileSync(join(summary.reports, 'junit.xml'), 'utf8');
    assert.equal(junit.match(/<testcase /g)?.length, summary.counts.scenarios);
    const gate = JSON.parse(readFileSync(join(summary.reports, 'gate.json'), 'utf8')) as { verdict: string };
    assert.equal(gate.verdict, 'PROMOTE');
    // Every order's journey is attached to its scenario, hop by hop.
    const journeys = readFileSync(join(summary.reports, 'messages.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { attachment?: { body: string; fileName?: string } })
      .flatMap((envelope) =>
        envelope.attachment?.fileName === 'journey.json' ? [envelope.attachment.body] : [],
      );
    assert.ok(journeys.length >= 3, 'a journey per scenario that placed an order');
    const hops = (JSON.parse(journeys[0] ?? '[]') as Array<{ hops: Array<{ hop: string; at?: string }> }>)[0]
      ?.hops;
    assert.deepEqual(
      hops?.filter((h) => h.at === undefined).map((h) => h.hop),
      [],
      'every hop of a priced order has a time',
    );
    assert.ok(
      existsSync(join(cwd, 'reports', 'latest', 'messages.ndjson')),
      'reports/latest points at the run',
    );
    await nothingLeftOf(summary.runId);
  });

  it('blocks with the failing and undefined scenarios named at their file and line, and exits 1', async () => {
    const cwd = project();
    const result = await runMesE2e(
      ['run', fixture('wrong-total.feature'), fixture('undefined-step.feature'), '--json'],
      { cwd, env, timeoutMs: 180_000 },
    );
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const summary = JSON.parse(result.stdout) as Summary;
    assert.equal(summary.verdict, 'BLOCK');
    const reasons = summary.reasons.join('\n');
    assert.match(reasons, /wrong-total\.feature:2\) FAILED: .*total in cents/);
    assert.match(reasons, /undefined-step\.feature:2\) UNDEFINED/);
    assert.equal(summary.counts.failed, 1);
    assert.equal(summary.counts.undefined, 1);
    await nothingLeftOf(summary.runId);
  });

  it('exits 2 naming the file and line of a Gherkin error, before starting anything', async () => {
    const result = await runMesE2e(['run', fixture('broken.feature')], { cwd: project(), env });
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(result.stderr, /broken\.feature:4: .*got 'This line is not a step'/);
    assert.doesNotMatch(result.stderr, /environment:/, 'no environment for a suite that cannot run');
  });

  it('blocks when the tag filter matches no scenario, without starting an environment', async () => {
    const result = await runMesE2e(['run', '--tags', '@no-such-tag', '--json'], { cwd: project(), env });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const summary = JSON.parse(result.stdout) as Summary;
    assert.equal(summary.environment, 'none');
    assert.match(summary.reasons.join('\n'), /no scenario/i);
  });

  it('exits 2 for a tag expression that does not parse, saying how to write one', async () => {
    const result = await runMesE2e(['run', '--tags', '@smoke and'], { cwd: project(), env });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--tags: "@smoke and" is not a tag expression/);
  });

  it('smoke reuses the environment env up keeps, and leaves it up', async () => {
    const cwd = project();
    const up = await runMesE2e(['env', 'up'], { cwd, env, timeoutMs: 120_000 });
    assert.equal(up.code, 0, up.stderr);
    try {
      const smoke = await runMesE2e(['smoke', '--json'], { cwd, env, timeoutMs: 120_000 });
      assert.equal(smoke.code, 0, smoke.stdout + smoke.stderr);
      const summary = JSON.parse(smoke.stdout) as Summary;
      assert.equal(summary.environment, 'reused');
      assert.match(smoke.stderr, /reusing mes_e2e_\w+ \(from env up\)/);
      const status = await runMesE2e(['env', 'status'], { cwd, env });
      assert.equal(status.code, 0, 'the environment is still up and healthy after smoke');
    } finally {
      await runMesE2e(['env', 'down'], { cwd, env });
    }
  });

  it('lists the scenarios a tag expression picks, without running them', async () => {
    const result = await runMesE2e(['list', '--tags', '@smoke', '--json'], { cwd: project(), env });
    assert.equal(result.code, 0, result.stderr);
    const scenarios = JSON.parse(result.stdout) as Array<{
      name: string;
      uri: string;
      line: number;
      tags: string[];
    }>;
    assert.ok(scenarios.length > 0);
    for (const scenario of scenarios) {
      assert.ok(scenario.tags.includes('@smoke'), `${scenario.name} is tagged @smoke`);
      assert.match(scenario.uri, /^features\/.+\.feature$/);
    }
  });
});
