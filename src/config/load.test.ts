import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigurationError } from '../errors.ts';
import { loadRunPlan, type RunPlan } from './load.ts';
import type { RunFlags, RunPreset } from './run-settings.ts';
import { defaultFeaturePaths, defaultSupportImports } from './selection.ts';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mes-e2e-config-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const contractCache = mkdtempSync(join(tmpdir(), 'mes-e2e-load-cache-'));

const load = (
  cwd: string,
  extra: {
    profile?: string;
    configPath?: string;
    env?: Record<string, string>;
    docker?: boolean;
    flags?: RunFlags;
    preset?: RunPreset;
    policyFile?: string;
  } = {},
) =>
  loadRunPlan({
    cwd,
    // One contract cache for the file: each plan parses the same reference documents otherwise.
    env: { MES_E2E_CACHE_DIR: contractCache, ...extra.env },
    profile: extra.profile,
    configPath: extra.configPath,
    dockerAnswers: async () => extra.docker ?? true,
    flags: extra.flags,
    preset: extra.preset,
    policyFile: extra.policyFile,
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

/** A component of the plan, by name; the test fails when the plan has none. */
const componentOf = (plan: RunPlan, name: string) =>
  plan.components[name] ?? assert.fail(`the plan has no component "${name}"`);

describe('loadRunPlan', () => {
  it('hashes the configuration and policy the same in any folder, and differently when they differ', async () => {
    const files = {
      'mes-e2e.config.json': JSON.stringify({ profile: 'local', policy: { minScenarios: 3 } }),
      'quarantine.yml': '- scenario: Slow\n  owner: "@alice"\n  reason: flaps\n  expires: 2099-01-01\n',
    };
    const [here, there] = await Promise.all([load(project(files)), load(project(files))]);
    assert.match(here.configSha256, /^[0-9a-f]{64}$/);
    assert.equal(here.configSha256, there.configSha256, 'two checkouts of one commit agree');
    const stricter = await load(
      project({
        ...files,
        'mes-e2e.config.json': JSON.stringify({ profile: 'local', policy: { minScenarios: 4 } }),
      }),
    );
    assert.notEqual(stricter.configSha256, here.configSha256);
    const tagged = await load(project(files), { flags: { tags: '@smoke' } });
    assert.notEqual(tagged.configSha256, here.configSha256);
  });

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
        ['postgres-replica', 'container'],
        ['crm', 'container'],
        ['mes', 'container'],
        ['pricing', 'container'],
      ],
    );
    const crm = componentOf(plan, 'crm');
    assert.ok(crm.source === 'container' && crm.build?.dockerfile === 'crm/Dockerfile');
    assert.ok(Object.isFrozen(plan));
  });

  it('falls back to the local profile when no Docker engine answers', async () => {
    const plan = await load(project({}), { docker: false });
    assert.equal(plan.profile, 'local');
    assert.equal(componentOf(plan, 'rabbitmq').source, 'url');
    assert.equal(componentOf(plan, 'mes').source, 'process');
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
    assert.deepEqual(componentOf(plan, 'crm'), {
      name: 'crm',
      kind: 'service',
      dependsOn: [],
      source: 'url',
      url: 'http://crm.internal:8080',
      managementUrl: undefined,
      readyTimeoutMs: undefined,
    });
    assert.deepEqual(componentOf(plan, 'pricing'), {
      name: 'pricing',
      kind: 'service',
      dependsOn: [],
      source: 'container',
      image: 'acme/pricing:2.1',
      // The image keeps the wiring of the slot it replaces, as templates filled in at start.
      env: {
        AMQP_URL: '{rabbitmq.amqpUrl}',
        DATABASE_URL: '{postgres.url}',
        RABBITMQ_MANAGEMENT_URL: '{rabbitmq.managementUrl}',
        RABBITMQ_VHOST: '{rabbitmq.vhost}',
        PORT: '{port}',
        PRICING_COST_MS: '1',
      },
      port: 3002,
      ready: { http: '/health/ready' },
      readyTimeoutMs: undefined,
    });
    const rabbitmq = componentOf(plan, 'rabbitmq');
    assert.equal(rabbitmq.source === 'container' && rabbitmq.image, 'mirror.local/rabbitmq:4-management');
    assert.equal(componentOf(plan, 'mes').source, 'container');
  });

  it("takes a container's port, readiness and templated variables, and names a template that names nothing", async () => {
    const team = await load(
      project({
        'mes-e2e.config.json': JSON.stringify({
          components: {
            pricing: {
              source: 'container',
              image: 'acme/pricing:2.1',
              port: 8080,
              ready: { log: 'pricing ready' },
              env: { BUS: '{rabbitmq.amqpUrl}' },
            },
          },
        }),
      }),
    );
    const pricing = componentOf(team, 'pricing');
    assert.ok(pricing.source === 'container');
    assert.deepEqual(
      [pricing.port, pricing.ready, pricing.env.BUS],
      [8080, { log: 'pricing ready' }, '{rabbitmq.amqpUrl}'],
    );
    await assert.rejects(
      load(
        project({
          'mes-e2e.config.json': JSON.stringify({
            components: {
              pricing: {
                source: 'container',
                image: 'a/b:1',
                env: { BUS: '{rabitmq.amqpUrl}' },
                ready: { tcp: 1 },
              },
            },
          }),
        }),
      ),
      (error: Error) => {
        assert.match(error.message, /components\.pricing\.ready: expected \{ "http": "\/health" \}/);
        return true;
      },
    );
    await assert.rejects(
      load(
        project({
          'mes-e2e.config.json': JSON.stringify({
            components: {
              pricing: { source: 'container', image: 'a/b:1', env: { BUS: '{rabitmq.amqpUrl}' } },
            },
          }),
        }),
      ),
      /components\.pricing\.env\.BUS: "\{rabitmq\.amqpUrl\}" names nothing the run knows/,
    );
  });

  it('applies a profile section only to that profile', async () => {
    const dir = project({
      'mes-e2e.config.json': JSON.stringify({
        profiles: { local: { components: { postgres: { source: 'url', url: 'postgres://me@db.local/x' } } } },
      }),
    });
    const local = await load(dir, { profile: 'local' });
    const postgres = componentOf(local, 'postgres');
    assert.equal(postgres.source === 'url' && postgres.url, 'postgres://me@db.local/x');
    assert.equal(local.profileFrom, '--profile');
    const containers = await load(dir, { profile: 'containers' });
    assert.equal(componentOf(containers, 'postgres').source, 'container');
  });

  it('reads secrets from the environment, and lets templates name them', async () => {
    const dir = project({
      'mes-e2e.config.json': JSON.stringify({
        secrets: { 'crm-key': { env: 'ACME_CRM_KEY' }, fixture: { value: 'written-down' } },
        components: {
          pricing: { source: 'container', image: 'acme/pricing:2', env: { KEY: '{secret.crm-key}' } },
        },
      }),
    });
    const plan = await load(dir, { env: { ACME_CRM_KEY: 'k-123456' } });
    assert.deepEqual(plan.secrets, { 'crm-key': 'k-123456', fixture: 'written-down' });
    const error = await problemsOf(load(dir));
    assert.deepEqual(error.problems, [
      'secrets.crm-key: the environment variable ACME_CRM_KEY is not set (or is empty)',
    ]);
    const unknown = project({
      'mes-e2e.config.json': JSON.stringify({
        components: {
          pricing: { source: 'container', image: 'acme/pricing:2', env: { KEY: '{secret.crm-key}' } },
        },
      }),
    });
    assert.match(
      (await problemsOf(load(unknown))).problems.join('\n'),
      /components\.pricing\.env\.KEY: "\{secret\.crm-key\}" names nothing the run knows/,
    );
  });

  it('names the file, every bad key, what was expected and what was found', async () => {
    const dir = project({
      'mes-e2e.config.json': JSON.stringify({
        profile: 'prod',
        readyTimeoutMs: 'soon',
        components: {
          crm: { source: 'url', url: 'not a url' },
          mes: { source: 'ftp' },
          crmm: {},
          Order_API: { source: 'url', url: 'http://x' },
        },
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
    assert.match(
      text,
      /^components\.crmm\.source: expected "source" to be one of container, process, url, found nothing$/m,
    );
    assert.match(
      text,
      /^components\.Order_API: expected a lower-case name of letters, digits and dashes \(e\.g\. "order-api"\), found the name "Order_API"$/m,
    );
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
    assert.deepEqual(
      error.problems.map((problem) => problem.replace(/ has no defaults.*/, '')),
      ['rabbitmq', 'postgres', 'mes', 'pricing'].map((name) => `components.${name}: profile staging`),
    );
  });

  describe('one plan from the file, the environment and the flags', () => {
    const file = (config: unknown) => project({ 'mes-e2e.config.json': JSON.stringify(config) });

    it('takes safe defaults when nothing is given: the shipped suite, serial, no retry, stop after 5 failures', async () => {
      const dir = project({});
      const plan = await load(dir);
      assert.deepEqual(plan.run, {
        paths: [],
        tags: '',
        parallel: 1,
        retry: 0,
        failFast: false,
        maxFailures: 5,
        reportsDir: join(dir, 'reports'),
        stepTimeoutMs: 60_000,
      });
      assert.deepEqual(plan.selection.paths, defaultFeaturePaths);
      assert.deepEqual(plan.selection.supportImports, defaultSupportImports);
    });

    it('layers flags over the environment over the file over the defaults', async () => {
      const dir = file({
        parallel: 2,
        retry: 1,
        maxFailures: 0,
        tags: 'not @perf',
        chromium: 'bin/chrome',
        reportsDir: 'out',
      });
      const fromFile = await load(dir);
      assert.equal(fromFile.run.parallel, 2);
      assert.equal(fromFile.run.maxFailures, 0);
      assert.equal(fromFile.run.retry, 1);
      assert.equal(fromFile.selection.tags, 'not @perf');
      assert.equal(fromFile.run.chromium, join(dir, 'bin/chrome'));
      assert.equal(fromFile.reportsDir, join(dir, 'out'));
      const over = await load(dir, {
        env: { MES_E2E_CHROMIUM: '/opt/chromium', GITHUB_SHA: 'abc123' },
        flags: {
          parallel: '4',
          maxFailures: '3',
          tags: '@smoke',
          reports: 'elsewhere',
          shard: '2/3',
          name: 'release-7',
        },
      });
      assert.equal(over.run.parallel, 4);
      assert.equal(over.run.maxFailures, 3);
      assert.equal(over.run.retry, 1, 'a flag not given never overrides the file');
      assert.equal(over.selection.tags, '@smoke');
      assert.equal(over.selection.shard, '2/3');
      assert.equal(over.run.name, 'release-7');
      assert.equal(over.run.chromium, '/opt/chromium');
      assert.equal(over.run.commit, 'abc123');
      assert.equal(over.reportsDir, join(dir, 'elsewhere'));
    });

    it("adds a command's preset between the file and the flags, and requires its tags", async () => {
      const dir = file({ tags: 'not @ui', stepTimeoutMs: 90_000 });
      const smoke = { requiredTags: '@smoke', failFast: true, stepTimeoutMs: 20_000 };
      const plan = await load(dir, { preset: smoke });
      assert.equal(plan.selection.tags, '@smoke and (not @ui)');
      assert.equal(plan.run.failFast, true);
      assert.equal(plan.run.stepTimeoutMs, 20_000);
      const flagged = await load(dir, { preset: smoke, flags: { tags: '@critical' } });
      assert.equal(flagged.selection.tags, '@smoke and (@critical)');
    });

    it('names the flag a bad value came from, and the file for a bad value in it', async () => {
      const flags = await problemsOf(
        load(project({}), { flags: { parallel: 'two', retry: '-1', shard: '5/4' } }),
      );
      assert.equal(flags.file, undefined);
      assert.deepEqual(flags.problems, [
        '--shard: expected i/n with 1 <= i <= n, e.g. 2/4, found "5/4"',
        '--parallel: expected a whole number from 0 to 16, found "two"',
        '--retry: expected a whole number from 0 to 10, found "-1"',
      ]);
      const dir = file({ parallel: 99 });
      const inFile = await problemsOf(load(dir));
      assert.equal(inFile.file, join(dir, 'mes-e2e.config.json'));
      assert.match(inFile.problems[0] ?? '', /^parallel: /);
    });

    it('makes feature paths absolute against where they were given, and leaves out scenarios that break a URL', async () => {
      const dir = file({
        features: ['e2e/features'],
        steps: ['e2e/steps/*.ts'],
        components: { crm: { source: 'url', url: 'https://crm.test' } },
      });
      const plan = await load(join(dir), {});
      assert.deepEqual(plan.selection.paths, [join(dir, 'e2e/features')]);
      assert.deepEqual(plan.selection.supportImports, [
        ...defaultSupportImports,
        join(dir, 'e2e/steps/*.ts'),
      ]);
      assert.equal(plan.selection.tags, 'not @breaks-crm');
      assert.deepEqual(plan.leftOut, ['crm']);
      const given = await load(dir, { flags: { paths: ['x.feature'] } });
      assert.deepEqual(given.selection.paths, [join(dir, 'x.feature')]);
      assert.equal(given.selection.cwd, dir);
    });

    it('merges a --policy file over the configuration policy', async () => {
      const dir = project({
        'mes-e2e.config.json': JSON.stringify({ policy: { maxFlaky: 2, minScenarios: 3 } }),
        'release.json': JSON.stringify({ minScenarios: 10 }),
      });
      const plan = await load(dir, { policyFile: 'release.json' });
      assert.equal(plan.policy.maxFlaky, 2);
      assert.equal(plan.policy.minScenarios, 10);
    });

    it('reads quarantine.yml beside the configuration file, or the file the policy names relative to it', async () => {
      const entry = '- tag: "@flaky"\n  owner: o\n  reason: r\n  expires: 2026-12-31\n';
      const beside = project({ 'mes-e2e.config.json': '{}', 'quarantine.yml': entry });
      mkdirSync(join(beside, 'sub'));
      const fromBelow = await load(join(beside, 'sub'));
      assert.equal(fromBelow.policy.quarantine.file, join(beside, 'quarantine.yml'));
      assert.deepEqual(fromBelow.policy.quarantine.entries, [
        { tag: '@flaky', owner: 'o', reason: 'r', expires: '2026-12-31', line: 1 },
      ]);
      const named = project({
        'e2e/mes-e2e.config.json': JSON.stringify({ policy: { quarantine: { file: 'held.yml', max: 2 } } }),
        'e2e/held.yml': entry,
      });
      const plan = await load(named, { configPath: 'e2e/mes-e2e.config.json' });
      assert.equal(plan.policy.quarantine.file, join(named, 'e2e', 'held.yml'));
      assert.equal(plan.policy.quarantine.entries.length, 1);
      assert.deepEqual([plan.policy.quarantine.max, plan.policy.quarantine.allowCritical], [2, false]);
      assert.ok(Object.isFrozen(plan.policy.quarantine.entries[0]));
      const none = await load(project({}));
      assert.deepEqual(none.policy.quarantine.entries, [], 'no file: nothing quarantined');
    });

    it('is frozen all the way down', async () => {
      const plan = await load(project({}), { flags: { paths: ['a.feature'] } });
      for (const part of [plan, plan.run, plan.run.paths, plan.selection, plan.selection.paths, plan.policy])
        assert.ok(Object.isFrozen(part));
      assert.throws(() => {
        (plan.run as { parallel: number }).parallel = 3;
      }, TypeError);
    });
  });
});
