// The checks on the wire through `mes-e2e run`, on the local profile (the test run's broker and
// database, the reference services as processes): the reference stack keeps its contracts, and a
// pricing service changed on purpose to break them is blocked, with each rule it broke named, while
// every scenario passed.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Violation } from '../src/contracts/violations.ts';
import { infrastructureVariables } from './support/infrastructure.ts';
import { repoRoot, runMesE2e } from './support/run-cli.ts';

const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
const feature = join(repoRoot, 'test', 'fixtures', 'features', 'wire-rules.feature');

function project(pricingFault?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mes-e2e-wire-'));
  const config = {
    profile: 'local',
    components: {
      rabbitmq: {
        source: 'url',
        url: process.env[infrastructureVariables.amqp] ?? '',
        managementUrl: process.env[infrastructureVariables.management] ?? '',
      },
      postgres: { source: 'url', url: process.env[infrastructureVariables.database] ?? '' },
      ...(pricingFault ? { pricing: { source: 'process', env: { PRICING_FAULT: pricingFault } } } : {}),
    },
  };
  writeFileSync(join(dir, 'mes-e2e.config.json'), JSON.stringify(config));
  return dir;
}

interface Summary {
  verdict: string;
  reasons: string[];
  counts: Record<string, number>;
  reports: string;
}

interface GateJson {
  violations: Array<{ rule: string; where: string; problem: string; count: number; evidence?: string }>;
}

async function runWith(pricingFault?: string) {
  const result = await runMesE2e(['run', feature, '--json'], {
    cwd: project(pricingFault),
    env,
    timeoutMs: 180_000,
  });
  const summary = JSON.parse(result.stdout) as Summary;
  const gate = JSON.parse(readFileSync(join(summary.reports, 'gate.json'), 'utf8')) as GateJson;
  const recorded = readFileSync(join(summary.reports, 'messages.ndjson'), 'utf8')
    .split('\n')
    .filter((line) => line.includes('vnd.mes-e2e.violations'))
    .flatMap(
      (line) => (JSON.parse(JSON.parse(line).attachment.body) as { violations: Violation[] }).violations,
    );
  return { result, summary, gate, recorded };
}

const reasonsOf = (summary: Summary, rule: string) =>
  summary.reasons.filter((reason) => reason.startsWith(`${rule} (`));

describe('contracts on the wire, through mes-e2e run', { timeout: 600_000 }, () => {
  it('promotes the reference stack: its messages keep the AsyncAPI document and it leaves nothing behind', async () => {
    const { result, summary, gate, recorded } = await runWith();
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(summary.verdict, 'PROMOTE');
    assert.deepEqual(recorded, [], 'the run recorded no violation at all');
    assert.deepEqual(gate.violations, []);
  });

  it('blocks a pricing that renames a field, drops the correlation id, publishes twice and answers for orders nobody placed', async () => {
    const faults = 'rename-priced-by,no-correlation-id,publish-twice,stray-result';
    const { result, summary, gate } = await runWith(faults);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.equal(summary.counts.passed, summary.counts.scenarios, 'every scenario passed');
    const contract = reasonsOf(summary, 'message-contract').join('\n');
    assert.match(
      contract,
      /routing key pricing\.completed \(channel pricingResult\): pricingCompleted: .*required property 'pricedBy'/,
    );
    assert.match(contract, /no AMQP correlationId property/);
    assert.match(
      reasonsOf(summary, 'duplicate-publish').join('\n'),
      /channel pricingResult: a message id was published 2 times/,
    );
    assert.match(
      reasonsOf(summary, 'unexpected-dead-letter').join('\n'),
      /exchange mes\.pricing-results\.dead.*handler failed: no order .* in MES/,
    );
    assert.deepEqual(reasonsOf(summary, 'orphan-order'), [], 'every real order was priced');
    const renamed = gate.violations.find((v) => v.rule === 'message-contract' && /pricedBy/.test(v.problem));
    assert.ok(renamed?.evidence?.includes('"instance"'), 'the message that broke it is in gate.json');
    assert.match(readFileSync(join(summary.reports, 'summary.md'), 'utf8'), /### Contracts on the wire/);
  });

  it('blocks a pricing that stops at a B2B request: an order left in progress and a queue left with work', async () => {
    const { result, summary } = await runWith('stop-on-b2b');
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.equal(summary.counts.passed, summary.counts.scenarios, 'every scenario passed');
    assert.match(
      reasonsOf(summary, 'orphan-order').join('\n'),
      /mes GET \/api\/orders\/\{id\}: an order the bus saw start did not reach a final state .*"A B2B order is accepted"/,
    );
    assert.match(
      reasonsOf(summary, 'queues-drained').join('\n'),
      /queue pricing\.requests: holds 1 messages at the end of the run \(1 ready, 0 unacknowledged, 0 consumers\)/,
    );
    assert.deepEqual(reasonsOf(summary, 'message-contract'), []);
  });
});
