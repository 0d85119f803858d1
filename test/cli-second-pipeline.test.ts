// The second pipeline (test/fixtures/second-pipeline: other names, count, ports, health paths,
// variables, routes, bodies, exchanges, routing keys, ids and states, no database, no TypeScript)
// brought up and gated by the harness from its configuration and contracts alone.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { infrastructureVariables } from './support/infrastructure.ts';
import { repoRoot, runMesE2e } from './support/run-cli.ts';

const pipelineDir = join(repoRoot, 'test', 'fixtures', 'second-pipeline');
const fixture = (name: string) => join(repoRoot, 'test', 'fixtures', 'features', name);
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };

interface PipelineConfig {
  components: Record<string, Record<string, unknown>>;
  contracts: { openapi: Record<string, string>; asyncapi: string };
  [key: string]: unknown;
}

/**
 * The fixture's own configuration, written elsewhere so that its reports land in a temporary folder:
 * paths made absolute, and its broker the test run's shared one (the run gets a vhost of its own there).
 */
function project(): string {
  const config = JSON.parse(readFileSync(join(pipelineDir, 'mes-e2e.config.json'), 'utf8')) as PipelineConfig;
  for (const component of Object.values(config.components))
    if (component.source === 'process') component.cwd = pipelineDir;
  config.components.bus = {
    kind: 'rabbitmq',
    source: 'url',
    url: process.env[infrastructureVariables.amqp],
    managementUrl: process.env[infrastructureVariables.management],
  };
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

describe('the second pipeline, through the harness', { timeout: 300_000 }, () => {
  it('passes a feature written only with generic steps', async () => {
    const result = await runMesE2e(['run', fixture('second-pipeline-generic.feature'), '--json'], {
      cwd: project(),
      env,
      timeoutMs: 240_000,
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const summary = JSON.parse(result.stdout) as { counts: Record<string, number>; verdict: string };
    assert.deepEqual([summary.counts.passed, summary.counts.failed], [1, 0], JSON.stringify(summary.counts));
  });
});
