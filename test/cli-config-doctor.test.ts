// `mes-e2e config` and `mes-e2e doctor` through the real executable: plans, checks, and exit codes 0/2/3.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { infrastructureVariables } from './support/infrastructure.ts';
import { dockerMissing, skipWhenMissing } from './support/needs.ts';
import { runMesE2e } from './support/run-cli.ts';

function folderWith(config?: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'mes-e2e-cli-'));
  if (config !== undefined) {
    writeFileSync(
      join(dir, 'mes-e2e.config.json'),
      typeof config === 'string' ? config : JSON.stringify(config),
    );
  }
  return dir;
}

const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
const dockerSkip = skipWhenMissing('doctor on the containers profile', await dockerMissing());

describe('mes-e2e config', () => {
  it('shows a team config that replaces one service by a URL and another by an image, passwords masked', async () => {
    const cwd = folderWith({
      components: {
        crm: { source: 'url', url: 'http://svc:s3cret@crm.internal:8080' },
        pricing: { source: 'container', image: 'acme/pricing:2.1' },
      },
    });
    const result = await runMesE2e(['config', '--json', '--profile', 'containers'], { cwd, env: baseEnv });
    assert.equal(result.code, 0, result.stderr);
    const plan = JSON.parse(result.stdout) as {
      profile: string;
      components: Record<string, Record<string, unknown>>;
    };
    assert.equal(plan.profile, 'containers');
    assert.equal(plan.components.crm?.source, 'url');
    assert.equal(plan.components.crm?.url, 'http://svc:***@crm.internal:8080/');
    assert.equal(plan.components.pricing?.image, 'acme/pricing:2.1');
    assert.equal(plan.components.mes?.image, 'mes-e2e/mes:local');
    assert.doesNotMatch(result.stdout, /s3cret/);
  });

  it('exits 2 with the file, the key, what was expected and what was found', async () => {
    const cwd = folderWith({ components: { mes: { source: 'url', url: 'nope' } } });
    const result = await runMesE2e(['config'], { cwd, env: baseEnv });
    assert.equal(result.code, 2);
    assert.match(result.stderr, new RegExp(`configuration error in ${join(cwd, 'mes-e2e.config.json')}`));
    assert.match(result.stderr, /components\.mes\.url: expected a URL, found "nope"/);
    assert.match(result.stderr, /Fix the file \(or pass another with --config\)/);
    assert.equal(result.stdout, '');
  });

  it('exits 2 for an unknown profile, naming the known ones', async () => {
    const result = await runMesE2e(['doctor', '--profile', 'prod'], { cwd: folderWith(), env: baseEnv });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown profile "prod"; expected one of containers, local, staging/);
  });
});

describe('mes-e2e env up failures', () => {
  it('exits 3 with what to do when no Docker engine answers', async () => {
    const result = await runMesE2e(['env', 'up', '--profile', 'containers'], {
      cwd: folderWith(),
      env: { ...baseEnv, DOCKER_HOST: 'tcp://127.0.0.1:1' },
    });
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /mes-e2e: no Docker engine answers/);
    assert.match(result.stderr, /start Docker \(or point DOCKER_HOST at one\)/);
  });

  it('exits 2 naming the file and key for a bad configuration', async () => {
    const result = await runMesE2e(['env', 'up'], { cwd: folderWith({ readyTimeoutMs: 5 }), env: baseEnv });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /readyTimeoutMs: .*>=1000, found 5/);
  });
});

describe('mes-e2e env prune', () => {
  it('exits 2 for an --older-than that is not a duration', async () => {
    const result = await runMesE2e(['env', 'prune', '--older-than', 'soon'], {
      cwd: folderWith(),
      env: baseEnv,
    });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--older-than: "soon" is not a duration/);
    assert.match(result.stderr, /90s, 30m, 2h or 1d/);
  });
});

describe('mes-e2e doctor', () => {
  it('exits 3 naming Docker and the fix when no engine answers for the containers profile', async () => {
    const result = await runMesE2e(['doctor', '--profile', 'containers'], {
      cwd: folderWith(),
      env: { ...baseEnv, DOCKER_HOST: 'tcp://127.0.0.1:1' },
    });
    assert.equal(result.code, 3, result.stdout + result.stderr);
    assert.match(result.stdout, /✖ docker\s+no Docker engine answers/);
    assert.match(result.stdout, /fix: start Docker/);
    assert.match(result.stdout, /not ready/);
  });

  it('exits 3 naming the broker and database it cannot reach, without their passwords', async () => {
    const result = await runMesE2e(['doctor', '--profile', 'local'], {
      cwd: folderWith(),
      env: {
        ...baseEnv,
        MES_E2E_AMQP_URL: 'amqp://u:hunter2@127.0.0.1:1',
        MES_E2E_RABBITMQ_MANAGEMENT_URL: 'http://u:hunter2@127.0.0.1:1',
        MES_E2E_DATABASE_URL: 'postgres://u:hunter2@127.0.0.1:1/db',
      },
    });
    assert.equal(result.code, 3);
    assert.match(result.stdout, /✖ rabbitmq \(url\)\s+AMQP handshake unreachable/);
    assert.match(result.stdout, /✖ postgres \(url\)\s+SQL select 1 unreachable/);
    assert.doesNotMatch(result.stdout + result.stderr, /hunter2/);
  });

  it('exits 0 for the local profile when the broker, its management API and the database answer', async () => {
    const result = await runMesE2e(['doctor', '--profile', 'local', '--json'], {
      cwd: folderWith(),
      env: {
        ...baseEnv,
        MES_E2E_AMQP_URL: process.env[infrastructureVariables.amqp],
        MES_E2E_RABBITMQ_MANAGEMENT_URL: process.env[infrastructureVariables.management],
        MES_E2E_DATABASE_URL: process.env[infrastructureVariables.database],
      },
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = JSON.parse(result.stdout) as {
      ready: boolean;
      checks: Array<{ name: string; ok: boolean; detail: string }>;
    };
    assert.equal(report.ready, true);
    const passed = report.checks.filter((c) => c.ok).map((c) => c.detail);
    assert.ok(passed.includes('AMQP handshake answers'));
    assert.ok(passed.includes('management API answers'));
    assert.ok(passed.includes('SQL select 1 answers'));
  });

  it('exits 0 for the containers profile on a machine with Docker and the images', {
    skip: dockerSkip,
  }, async () => {
    const result = await runMesE2e(['doctor', '--json'], { cwd: folderWith(), env: baseEnv });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = JSON.parse(result.stdout) as {
      profile: string;
      ready: boolean;
      checks: Array<{ name: string; ok: boolean }>;
    };
    assert.equal(report.profile, 'containers');
    assert.deepEqual(
      report.checks.filter((c) => c.name.startsWith('image ')).map((c) => [c.name, c.ok]),
      [
        ['image rabbitmq:4-management', true],
        ['image postgres:17', true],
        ['image node:24-slim', true],
      ],
    );
  });
});
