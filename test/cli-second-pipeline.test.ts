// The second pipeline (test/fixtures/second-pipeline: other names, count, ports, health paths,
// variables, routes, bodies, exchanges, routing keys, ids and states, no database, no TypeScript)
// brought up and gated by the harness from its configuration and contracts alone.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { infrastructureVariables } from './support/infrastructure.ts';
import { repoRoot, runMesE2e } from './support/run-cli.ts';

const pipelineDir = join(repoRoot, 'test', 'fixtures', 'second-pipeline');
const fixture = (name: string) => join(repoRoot, 'test', 'fixtures', 'features', name);
/** The storefront's key: a secret of the configuration, from this variable; never in a report or log. */
const shopKey = `shop-key-${randomBytes(8).toString('hex')}`;
const env = {
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '/tmp',
  SECOND_PIPELINE_SHOP_KEY: shopKey,
};

/** Every file under a folder, as text: what a person or CI may read after the run. */
function filesUnder(dir: string): Array<{ file: string; text: string }> {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .map((file) => ({ file, text: readFileSync(file, 'latin1') }));
}

interface PipelineConfig {
  components: Record<string, Record<string, unknown>>;
  contracts: { openapi: Record<string, string>; asyncapi: string };
  [key: string]: unknown;
}

/**
 * The fixture's own configuration, written elsewhere so that its reports land in a temporary folder,
 * its paths made absolute; `change` adjusts it (another broker, a fault switched on).
 */
function project(change: (config: PipelineConfig) => void = () => {}): string {
  const config = JSON.parse(readFileSync(join(pipelineDir, 'mes-e2e.config.json'), 'utf8')) as PipelineConfig;
  for (const component of Object.values(config.components))
    if (component.source === 'process') component.cwd = pipelineDir;
  change(config);
  config.contracts = {
    openapi: Object.fromEntries(
      Object.entries(config.contracts.openapi).map(([name, file]) => [name, join(pipelineDir, file)]),
    ),
    asyncapi: join(pipelineDir, config.contracts.asyncapi),
  };
  const dir = mkdtempSync(join(tmpdir(), 'mes-e2e-second-'));
  writeFileSync(join(dir, 'mes-e2e.config.json'), JSON.stringify(config));
  return dir;
}

/** A shipped scenario by file and line, found by its name (the feature files may change). */
function shipped(feature: string, scenario: string): string {
  const file = join(repoRoot, 'features', feature);
  const index = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((line) => line.trim() === `Scenario: ${scenario}`);
  assert.ok(index >= 0, `no scenario "${scenario}" in ${feature}`);
  return `${file}:${index + 1}`;
}

interface Summary {
  reports: string;
  verdict: string;
  reasons: string[];
  counts: Record<string, number>;
}

const b2bOrder = 'A B2B order placed through API v1 gets the business discount';

describe('the second pipeline, through the harness', { timeout: 300_000 }, () => {
  it('runs the shipped order flow, a broker restart and a duplicate delivery, and generic-steps features: PROMOTE', async () => {
    const result = await runMesE2e(
      [
        'run',
        join(repoRoot, 'features', 'order-flow.feature'),
        shipped('reliability.feature', 'A broker restart in the middle of the flow loses nothing'),
        shipped('reliability.feature', 'A duplicated order.created changes nothing'),
        fixture('second-pipeline-generic.feature'),
        // The same feature passes on the reference stack (test/generic-steps.test.ts).
        fixture('generic-both-pipelines.feature'),
        '--tags',
        'not @reference-stack',
        '--json',
      ],
      { cwd: project(), env, timeoutMs: 240_000 },
    );
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const summary = JSON.parse(result.stdout) as Summary;
    assert.deepEqual([summary.counts.passed, summary.counts.failed], [7, 0], JSON.stringify(summary.counts));
    assert.equal(summary.verdict, 'PROMOTE');
    // The storefront depends on the plant and tariff: it starts only once both are ready. A progress
    // line "[T s] name ready in D s" says when a component got ready (T) and when it started (T - D).
    const ready = new Map(
      [...result.stderr.matchAll(/\[(\d+\.\d)s\]\s+([\w-]+) ready in (\d+\.\d) s/g)].map(
        ([, at, name, took]) => [name, { at: Number(at), started: Number(at) - Number(took) }],
      ),
    );
    const readyOf = (name: string) =>
      ready.get(name) ?? assert.fail(`no "${name} ready" line in: ${result.stderr}`);
    const [storefront, plant, tariff] = [readyOf('storefront'), readyOf('plant'), readyOf('tariff')];
    assert.ok(
      storefront.started >= Math.max(plant.at, tariff.at) - 0.15,
      `storefront started at ${storefront.started} s, plant ready at ${plant.at} s, tariff at ${tariff.at} s`,
    );
    // The storefront takes purchases only with its key, which the run had only as a secret.
    const leaks = filesUnder(summary.reports).filter(({ text }) => text.includes(shopKey));
    assert.deepEqual(
      leaks.map(({ file }) => file),
      [],
      'the secret in a report or log',
    );
  });

  it('BLOCKs a build that drops business purchases, naming the hop and the component responsible', async () => {
    const dropping = project((config) => {
      const plant = config.components.plant as { env: Record<string, string> };
      plant.env = { ...plant.env, PLANT_DROP_TIER: 'business' };
      // The test run's shared broker: nothing here restarts it, and the run gets its own vhost there.
      config.components.bus = {
        kind: 'rabbitmq',
        source: 'url',
        url: process.env[infrastructureVariables.amqp],
        managementUrl: process.env[infrastructureVariables.management],
      };
    });
    const result = await runMesE2e(['run', shipped('order-flow.feature', b2bOrder), '--json'], {
      cwd: dropping,
      env,
      timeoutMs: 240_000,
    });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const summary = JSON.parse(result.stdout) as Summary;
    assert.equal(summary.verdict, 'BLOCK');
    const reason = summary.reasons.join('\n');
    assert.match(reason, new RegExp(`scenario "${b2bOrder}"`));
    assert.match(
      reason,
      /it stopped before "plant queued the job" \(last seen: purchase\.placed on the bus; responsible: plant\)/,
    );
  });

  it('BLOCKs a build whose every scenario passes but that answers twice and leaves business purchases unfinished', async () => {
    const breaking = project((config) => {
      const plant = config.components.plant as { env: Record<string, string> };
      plant.env = { ...plant.env, PLANT_DROP_TIER: 'business' };
      const tariff = config.components.tariff as { env: Record<string, string> };
      tariff.env = { ...tariff.env, TARIFF_ANSWER_TWICE: 'true' };
      config.components.bus = {
        kind: 'rabbitmq',
        source: 'url',
        url: process.env[infrastructureVariables.amqp],
        managementUrl: process.env[infrastructureVariables.management],
      };
    });
    const result = await runMesE2e(['run', fixture('wire-rules.feature'), '--json'], {
      cwd: breaking,
      env,
      timeoutMs: 240_000,
    });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const summary = JSON.parse(result.stdout) as Summary;
    assert.equal(summary.counts.passed, summary.counts.scenarios, 'every scenario passed');
    const reasons = summary.reasons.join('\n');
    assert.match(
      reasons,
      /^duplicate-publish \(.*\): channel quoteReady: a message id was published 2 times/m,
    );
    assert.match(
      reasons,
      /^orphan-order \(.*\): plant GET \/jobs\/\{jobRef\}: an order the bus saw start did not reach a final state \(it is not found\).*"A B2B order is accepted"/m,
    );
  });
});
