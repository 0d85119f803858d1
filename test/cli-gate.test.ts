// `mes-e2e gate` over the messages of real `mes-e2e run`s of small fixture suites: it promotes a
// clean run, merges shards to the verdict and counts of the unsharded run, and blocks, with the
// reason stated, on every case where promoting would be wrong.
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { infrastructureVariables } from './support/infrastructure.ts';
import { repoRoot, runMesE2e } from './support/run-cli.ts';

const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
const fixtures = join(repoRoot, 'test', 'fixtures');

/**
 * A project whose suite is a fixture folder with the fixture steps, on the test run's infrastructure;
 * not-passed.feature comes with a quarantine file for its scenario "quarantined and failing".
 */
function project(features: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mes-e2e-gate-'));
  // The team's layout: features beside the configuration, named relative to it in every report.
  mkdirSync(join(dir, 'features'));
  cpSync(join(fixtures, 'gate', features), join(dir, 'features', features));
  const config = {
    profile: 'local',
    features: ['features'],
    steps: [join(fixtures, 'steps', '*.ts')],
    components: {
      rabbitmq: {
        source: 'url',
        url: process.env[infrastructureVariables.amqp],
        managementUrl: process.env[infrastructureVariables.management],
      },
      postgres: { source: 'url', url: process.env[infrastructureVariables.database] },
    },
  };
  writeFileSync(join(dir, 'mes-e2e.config.json'), JSON.stringify(config));
  if (features === 'not-passed.feature') writeFileSync(join(dir, 'quarantine.yml'), quarantined);
  return dir;
}

const quarantined = [
  '- scenario: quarantined and failing',
  '  owner: "@qa-team"',
  '  reason: fails on purpose, to show a quarantined failure does not block',
  '  expires: 2999-12-31',
  '',
].join('\n');

interface Summary {
  verdict: 'PROMOTE' | 'BLOCK';
  reasons: string[];
  counts: Record<string, number>;
  reports: string;
}

async function run(
  cwd: string,
  args: readonly string[],
  extraEnv: Record<string, string> = {},
): Promise<Summary> {
  const result = await runMesE2e(['run', '--json', ...args], {
    cwd,
    env: { ...env, ...extraEnv },
    timeoutMs: 120_000,
  });
  assert.ok(result.code === 0 || result.code === 1, `run exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout) as Summary;
}

async function gate(cwd: string, results: readonly string[], extra: readonly string[] = []) {
  const result = await runMesE2e(['gate', '--json', '--results', ...results, ...extra], { cwd, env });
  const summary = result.stdout.trim() ? (JSON.parse(result.stdout) as Summary) : undefined;
  return { code: result.code, summary, stderr: result.stderr };
}

describe('mes-e2e gate', { timeout: 600_000 }, () => {
  const cwd = project('clean.feature');
  let whole: Summary;
  let shard1: Summary;
  let shard2: Summary;
  // One run of the not-passed suite (its own project, so its own environment), judged by two tests.
  const notPassed = project('not-passed.feature');
  let notPassedRun: Promise<Summary> | undefined;
  const notPassedRan = () => {
    notPassedRun ??= run(notPassed, []);
    return notPassedRun;
  };

  // The runs of this project share one environment (env up keeps it; run reuses it): the gate is
  // what is tested here, not bringing environments up.
  before(async () => {
    const up = await runMesE2e(['env', 'up'], { cwd, env, timeoutMs: 120_000 });
    assert.equal(up.code, 0, up.stderr);
    whole = await run(cwd, []);
    shard1 = await run(cwd, ['--shard', '1/2', '--name', 'release-42']);
    shard2 = await run(cwd, ['--shard', '2/2', '--name', 'release-42']);
  });
  after(() => runMesE2e(['env', 'down'], { cwd, env }));

  it('promotes a clean run, with the same verdict as run gave', async () => {
    assert.equal(whole.verdict, 'PROMOTE');
    const judged = await gate(cwd, [whole.reports]);
    assert.equal(judged.code, 0, judged.stderr);
    assert.equal(judged.summary?.verdict, 'PROMOTE');
    assert.deepEqual(judged.summary?.counts, whole.counts);
  });

  // gate once read the configuration as if no Docker engine answered (the local profile), and refused
  // a file that run accepted on the same machine.
  it('reads the configuration as run does on the same machine', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mes-e2e-gate-config-'));
    const config = join(dir, 'mes-e2e.config.json');
    writeFileSync(
      config,
      JSON.stringify({ components: { mes: { source: 'container', env: { LOG: '1' } } } }),
    );
    const judged = await gate(cwd, [whole.reports], ['--config', config]);
    assert.equal(judged.code, 0, judged.stderr);
    assert.equal(judged.summary?.verdict, 'PROMOTE');
  });

  it('promotes each clean shard on its own: the check for the other shards belongs to the gate', () => {
    assert.equal(shard1.verdict, 'PROMOTE', shard1.reasons.join('\n'));
    assert.equal(shard2.verdict, 'PROMOTE', shard2.reasons.join('\n'));
  });

  it('merges two shards to the verdict and counts of the unsharded run', async () => {
    assert.ok(
      (shard1.counts.scenarios ?? 0) > 0 && (shard2.counts.scenarios ?? 0) > 0,
      'both shards ran scenarios',
    );
    const judged = await gate(cwd, [shard1.reports, shard2.reports]);
    assert.equal(judged.code, 0, JSON.stringify(judged.summary?.reasons));
    assert.deepEqual(judged.summary?.counts, whole.counts);
  });

  it('judges the latest run of a folder of runs, with all its shards (the README quick start)', async () => {
    // reports/ holds the unsharded run, then both shards of release-42: the latest run is release-42.
    const judged = await gate(cwd, ['reports/']);
    assert.equal(judged.code, 0, JSON.stringify(judged.summary?.reasons));
    assert.deepEqual(judged.summary?.counts, whole.counts);
    assert.match(judged.stderr, /reports\/ holds 2 runs: judging the latest, leaving out mes_e2e_\w+/);
    const every = await gate(cwd, ['reports/'], ['--all-runs']);
    assert.equal(every.code, 1);
    assert.match(every.summary?.reasons.join('\n') ?? '', /results from different runs/);
  });

  it('writes into gate.json what the merged shards tested, credentials left out', async () => {
    const out = mkdtempSync(join(tmpdir(), 'mes-e2e-gate-out-'));
    const judged = await gate(cwd, [shard1.reports, shard2.reports], ['--out', out]);
    assert.equal(judged.code, 0, JSON.stringify(judged.summary?.reasons));
    const { tested } = JSON.parse(readFileSync(join(out, 'gate.json'), 'utf8')) as {
      tested: {
        scenarioSet: { count: number; sha256: string };
        configSha256: string;
        components: Array<{ name: string; source: string; url?: string; command?: string }>;
      };
    };
    assert.equal(tested.scenarioSet.count, whole.counts.scenarios, 'the whole set, not one shard of it');
    assert.match(tested.configSha256, /^[0-9a-f]{64}$/);
    const broker = tested.components.find((component) => component.name === 'rabbitmq');
    const given = new URL(process.env[infrastructureVariables.amqp] ?? '');
    assert.equal(
      broker?.url,
      `amqp://${given.host}${given.pathname}`,
      'the broker by URL, without its password',
    );
    assert.equal(tested.components.find((component) => component.name === 'crm')?.source, 'process');
    assert.match(readFileSync(join(out, 'summary.md'), 'utf8'), /### What was tested/);
  });

  it('refuses to merge shards that tested different commits', async () => {
    const other = await run(cwd, ['--shard', '2/2', '--name', 'release-42'], { GITHUB_SHA: 'b'.repeat(40) });
    const judged = await gate(cwd, [shard1.reports, other.reports]);
    assert.equal(judged.code, 1);
    assert.match(
      judged.summary?.reasons.join('\n') ?? '',
      /shards tested different commits: none recorded \(shard 1\/2\) vs b{40} \(shard 2\/2\)/,
    );
  });

  it('blocks when a shard is missing', async () => {
    const judged = await gate(cwd, [shard1.reports]);
    assert.equal(judged.code, 1);
    assert.match(judged.summary?.reasons.join('\n') ?? '', /shard 2\/2 is missing/);
  });

  it('blocks when a shard is given twice', async () => {
    const judged = await gate(cwd, [shard1.reports, shard1.reports, shard2.reports]);
    assert.equal(judged.code, 1);
    assert.match(judged.summary?.reasons.join('\n') ?? '', /shard 1\/2 is given 2 times/);
  });

  it('blocks results from another run', async () => {
    const other = await run(cwd, ['--shard', '2/2', '--name', 'release-41']);
    const judged = await gate(cwd, [shard1.reports, other.reports]);
    assert.equal(judged.code, 1);
    assert.match(
      judged.summary?.reasons.join('\n') ?? '',
      /results from different runs: release-42, release-41/,
    );
  });

  it('blocks a missing, an empty and a truncated results file, each with its reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mes-e2e-gate-files-'));
    const empty = join(dir, 'empty.ndjson');
    writeFileSync(empty, '');
    const text = readFileSync(join(whole.reports, 'messages.ndjson'), 'utf8');
    const truncated = join(dir, 'truncated.ndjson');
    writeFileSync(truncated, text.slice(0, text.length - 40));
    for (const [file, reason] of [
      [join(dir, 'missing.ndjson'), /does not exist/],
      [empty, /empty/],
      [truncated, /truncated/],
    ] as const) {
      const judged = await gate(cwd, [file]);
      assert.equal(judged.code, 1, `${file}: ${judged.stderr}`);
      assert.match(judged.summary?.reasons.join('\n') ?? '', reason);
    }
  });

  it('blocks failed, pending, ambiguous and undefined scenarios, but not a quarantined one', async () => {
    const summary = await notPassedRan();
    assert.equal(summary.verdict, 'BLOCK');
    const reasons = summary.reasons.join('\n');
    for (const [scenario, status] of [
      ['fails', 'FAILED'],
      ['pending', 'PENDING'],
      ['ambiguous', 'AMBIGUOUS'],
      ['undefined', 'UNDEFINED'],
    ]) {
      assert.match(
        reasons,
        new RegExp(`scenario "${scenario}" \\(features/not-passed\\.feature:\\d+\\) ${status}`),
      );
    }
    assert.doesNotMatch(reasons, /quarantined and failing/);
    assert.equal(summary.counts.quarantined, 1);
    // The gate reads the same quarantine file as the run did: the project's.
    const judged = await gate(notPassed, [summary.reports]);
    assert.deepEqual(judged.summary?.reasons, summary.reasons, 'gate and run give the same reasons');
  });

  it('applies a policy file: fewer scenarios than it requires block, and an unknown key is a usage error', async () => {
    const policy = join(mkdtempSync(join(tmpdir(), 'mes-e2e-policy-')), 'policy.json');
    writeFileSync(policy, JSON.stringify({ minScenarios: 10 }));
    const judged = await gate(cwd, [whole.reports], ['--policy', policy]);
    assert.equal(judged.code, 1);
    assert.match(
      judged.summary?.reasons.join('\n') ?? '',
      /only 4 scenarios ran; the policy requires at least 10/,
    );
    writeFileSync(policy, JSON.stringify({ minScenario: 1 }));
    const bad = await gate(cwd, [whole.reports], ['--policy', policy]);
    assert.equal(bad.code, 2, 'a policy with an unknown key is a usage error');
    assert.match(bad.stderr, /minScenario/);
  });

  it('blocks a shard that matched no scenario', async () => {
    const empty = await run(cwd, ['--shard', '5/5']);
    assert.equal(empty.verdict, 'BLOCK');
    assert.match(empty.reasons.join('\n'), /no scenario ran/);
  });

  it('holds recorded figures to the budgets, and blocks a budget with no figure recorded', async () => {
    const figures = project('figures.feature');
    const measured = await run(figures, ['--tags', 'not @must']);
    const policy = join(mkdtempSync(join(tmpdir(), 'mes-e2e-budgets-')), 'policy.json');
    const judge = async (rules: unknown) => {
      writeFileSync(policy, JSON.stringify(rules));
      return gate(figures, [measured.reports], ['--policy', policy]);
    };
    const within = await judge({ budgets: [{ figure: 'list_ms', statistic: 'p50', max: 500 }] });
    assert.equal(within.code, 0, JSON.stringify(within.summary?.reasons));
    const over = await judge({ budgets: [{ figure: 'list_ms', statistic: 'max', max: 500 }] });
    assert.equal(over.code, 1);
    assert.match(
      over.summary?.reasons.join('\n') ?? '',
      /list_ms max is 900, over the budget of 500 \(2 samples\)/,
    );
    // gate.json and summary.md carry every budget checked: figure, statistic, measured value, limit.
    const out = join(figures, 'reports', 'gate');
    const written = JSON.parse(readFileSync(join(out, 'gate.json'), 'utf8')) as { budgets: unknown };
    assert.deepEqual(written.budgets, [
      {
        figure: 'list_ms',
        statistic: 'max',
        value: 900,
        max: 500,
        samples: 2,
        ok: false,
        percentiles: { p50: 40, p90: 900, p95: 900, p99: 900, max: 900, mean: 470 },
      },
    ]);
    assert.match(
      readFileSync(join(out, 'summary.md'), 'utf8'),
      /^\| list\\_ms \| max \| 900 \| 500 \| 2 \| ❌ no \|$/m,
    );
    const missing = await judge({
      budgets: [{ figure: 'created_to_priced_ms.b2c', statistic: 'p95', max: 2000 }],
    });
    assert.equal(missing.code, 1);
    assert.match(
      missing.summary?.reasons.join('\n') ?? '',
      /created_to_priced_ms\.b2c p95 <= 2000: no scenario recorded the figure/,
    );
    const skipped = await judge({ neverSkip: ['@must'] });
    assert.equal(skipped.code, 1);
    assert.match(
      skipped.summary?.reasons.join('\n') ?? '',
      /"one that may never be skipped" .* is tagged @must, which may never be skipped/,
    );
    const absent = await judge({ mustRun: ['features/order-flow.feature'] });
    assert.equal(absent.code, 1);
    assert.match(absent.summary?.reasons.join('\n') ?? '', /feature features\/order-flow\.feature must run/);
  });

  it('tells GitHub Actions: summary, verdict output and an annotation at each blocking scenario', async () => {
    const summary = await notPassedRan();
    const dir = mkdtempSync(join(tmpdir(), 'mes-e2e-gha-'));
    const files = { GITHUB_STEP_SUMMARY: join(dir, 'summary.md'), GITHUB_OUTPUT: join(dir, 'output') };
    for (const file of Object.values(files)) writeFileSync(file, '');
    const result = await runMesE2e(['gate', '--results', summary.reports], {
      cwd: notPassed,
      env: { ...env, GITHUB_ACTIONS: 'true', ...files },
    });
    assert.equal(result.code, 1);
    assert.equal(readFileSync(files.GITHUB_OUTPUT, 'utf8'), 'verdict=BLOCK\n');
    assert.match(readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'), /BLOCK/);
    const annotations = result.stderr.split('\n').filter((line) => line.startsWith('::error '));
    assert.equal(annotations.length, 4, result.stderr);
    assert.match(
      annotations[0] ?? '',
      /^::error file=features\/not-passed\.feature,line=\d+,title=fails::FAILED/,
    );
    // The quarantined failure does not block, and whose it is stays in sight.
    const notices = result.stderr.split('\n').filter((line) => line.startsWith('::notice '));
    assert.equal(notices.length, 1, result.stderr);
    assert.match(
      notices[0] ?? '',
      /title=quarantined and failing::quarantined \(owner @qa-team, until 2999-12-31\): FAILED/,
    );
  });
});
