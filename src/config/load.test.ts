import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigurationError } from '../errors.ts';
import { loadRunPlan } from './load.ts';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mes-e2e-config-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const load = (
  cwd: string,
  extra: { profile?: string; configPath?: string; env?: Record<string, string>; docker?: boolean } = {},
) =>
  loadRunPlan({
    cwd,
    env: extra.env ?? {},
    profile: extra.profile,
    configPath: extra.configPath,
    dockerAnswers: async () => extra.docker ?? true,
  });

async function problemsOf(promise: Promise<unknown>): Promise<ConfigurationError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ConfigurationError, `expected a ConfigurationError, got ${error}`);
    return error;
  }
  assert.fail('expected the configuration to be rejected');
}

describe('loadRunPlan', () => {
  it('needs no file: the containers profile with the reference stack when Docker answers', async () => {
    const dir = project({});
    const plan = await load(dir);
    assert.equal(plan.configFile, undefined);
    assert.equal(plan.profile, 'containers');
    assert.equal(plan.profileFrom, 'default: a Docker engine answers');
    assert.equal(plan.reportsDir, join(dir, 'reports'));
    assert.deepEqual(
      Object.values(plan.components).map((c) => [c.name, c.source]),
      [
        ['rabbitmq', 'container'],
        ['postgres', 'container'],
        ['crm', 'container'],
        ['mes', 'container'],
        ['pricing', 'container'],
      ],
    );
    const crm = plan.components.crm;
    assert.ok(crm.source === 'container' && crm.build?.dockerfile === 'crm/Dockerfile');
    assert.ok(Object.isFrozen(plan));
  });

  it('falls back to the local profile when no Docker engine answers', async () => {
    const plan = await load(project({}), { docker: false });
    assert.equal(plan.profile, 'local');
    assert.equal(plan.components.rabbitmq.source, 'url');
    assert.equal(plan.components.mes.source, 'process');
  });

  it('finds mes-e2e.config.json in a parent folder and resolves paths from it', async () => {
    const dir = project({
      'mes-e2e.config.json': '{ "profile": "local", "reportsDir": "out" }',
      'features/x/.keep': '',
    });
    const plan = await load(join(dir, 'features', 'x'));
    assert.equal(plan.configFile, join(dir, 'mes-e2e.config.json'));
    assert.equal(plan.profile, 'local');
    assert.equal(plan.profileFrom, join(dir, 'mes-e2e.config.json'));
    assert.equal(plan.reportsDir, join(dir, 'out'));
  });

  it('loads a TypeScript configuration through its default export', async () => {
    const dir = project({
      'mes-e2e.config.ts': "export default { profile: 'local' as const, readyTimeoutMs: 5000 };\n",
    });
    const plan = await load(dir);
    assert.equal(plan.profile, 'local');
    assert.equal(plan.readyTimeoutMs, 5000);
  });

  it('replaces one reference service by a URL and another by an image', async () => {
    const dir = project({
      'mes-e2e.config.json': JSON.stringify({
        components: {
          crm: { source: 'url', url: 'http://crm.internal:8080' },
          pricing: { source: 'container', image: 'acme/pricing:2.1', env: { PRICING_COST_MS: '1' } },
        },
      }),
    });
    const plan = await load(dir, { env: { MES_E2E_IMAGE_RABBITMQ: 'mirror.local/rabbitmq:4-management' } });
    assert.deepEqual(plan.components.crm, {
      name: 'crm',
      source: 'url',
      url: 'http://crm.internal:8080',
      managementUrl: undefined,
      readyTimeoutMs: undefined,
    });
    assert.deepEqual(plan.components.pricing, {
      name: 'pricing',
      source: 'container',
      image: 'acme/pricing:2.1',
      env: { PRICING_COST_MS: '1' },
      readyTimeoutMs: undefined,
    });
    assert.equal(
      plan.components.rabbitmq.source === 'container' && plan.components.rabbitmq.image,
      'mirror.local/rabbitmq:4-management',
    );
    assert.equal(plan.components.mes.source, 'container');
  });

  it('applies a profile section only to that profile', async () => {
    const dir = project({
      'mes-e2e.config.json': JSON.stringify({
        profiles: { local: { components: { postgres: { source: 'url', url: 'postgres://me@db.local/x' } } } },
      }),
    });
    const local = await load(dir, { profile: 'local' });
    assert.equal(
      local.components.postgres.source === 'url' && local.components.postgres.url,
      'postgres://me@db.local/x',
    );
    assert.equal(local.profileFrom, '--profile');
    const containers = await load(dir, { profile: 'containers' });
    assert.equal(containers.components.postgres.source, 'container');
  });

  it('names the file, every bad key, what was expected and what was found', async () => {
    const dir = project({
      'mes-e2e.config.json': JSON.stringify({
        profile: 'prod',
        readyTimeoutMs: 'soon',
        components: { crm: { source: 'url', url: 'not a url' }, mes: { source: 'ftp' }, crmm: {} },
      }),
    });
    const error = await problemsOf(load(dir));
    assert.equal(error.file, join(dir, 'mes-e2e.config.json'));
    const text = error.problems.join('\n');
    assert.match(text, /^profile: .*containers.*local.*staging.*, found "prod"$/m);
    assert.match(text, /^readyTimeoutMs: .*number.*, found "soon"$/m);
    assert.match(text, /^components\.crm\.url: expected a URL, found "not a url"$/m);
    assert.match(
      text,
      /^components\.mes\.source: expected "source" to be one of container, process, url, found "ftp"$/m,
    );
    assert.match(text, /^components: unknown key\(s\) "crmm"$/m);
    assert.equal(error.kind, 'usage');
  });

  it('reports a file that is not JSON', async () => {
    const dir = project({ 'mes-e2e.config.json': '{ "profile": ' });
    const error = await problemsOf(load(dir));
    assert.match(error.problems[0] ?? '', /^not valid JSON: /);
  });

  it('rejects an unknown --profile, naming the known ones', async () => {
    const error = await problemsOf(load(project({}), { profile: 'prod' }));
    assert.deepEqual(error.problems, [
      '--profile: unknown profile "prod"; expected one of containers, local, staging',
    ]);
  });

  it('rejects a --config that does not exist', async () => {
    const dir = project({});
    const error = await problemsOf(load(dir, { configPath: 'nope.json' }));
    assert.equal(error.file, join(dir, 'nope.json'));
  });

  it('requires every component as a URL in the staging profile', async () => {
    const dir = project({
      'mes-e2e.config.json': JSON.stringify({
        profile: 'staging',
        components: { crm: { source: 'url', url: 'https://crm.staging' } },
      }),
    });
    const error = await problemsOf(load(dir));
    assert.equal(error.problems.length, 4);
    assert.match(error.problems[0] ?? '', /^components\.rabbitmq: profile staging has no defaults/);
  });
});
