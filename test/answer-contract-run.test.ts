// Every HTTP answer of a run checked against the component's OpenAPI document, through the real
// executable on the local profile: a MES that answers its order read with a status its document does
// not declare (MES_FAULT=undeclared-status) leaves one violation per scenario, attached to scenarios
// that passed, and the run blocks naming it. (The reference stack as it is leaves none at all: the
// first test of test/cli-wire-rules.test.ts.)
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Envelope } from '@cucumber/messages';
import { type ViolationsBody, violationsMediaType } from '../src/contracts/violations.ts';
import { infrastructureVariables } from './support/infrastructure.ts';
import { repoRoot, runMesE2e } from './support/run-cli.ts';

const shared = {
  amqpUrl: process.env[infrastructureVariables.amqp] ?? '',
  managementUrl: process.env[infrastructureVariables.management] ?? '',
  databaseUrl: process.env[infrastructureVariables.database] ?? '',
};
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };

function project(extra: { components?: Record<string, unknown> } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'mes-e2e-answers-'));
  const config = {
    profile: 'local',
    components: {
      rabbitmq: { source: 'url', url: shared.amqpUrl, managementUrl: shared.managementUrl },
      postgres: { source: 'url', url: shared.databaseUrl },
      ...extra.components,
    },
  };
  writeFileSync(join(dir, 'mes-e2e.config.json'), JSON.stringify(config));
  return dir;
}

interface Summary {
  verdict: 'PROMOTE' | 'BLOCK';
  reasons: string[];
  counts: Record<string, number>;
  reports: string;
}

/** The two smoke scenarios that place an order through API v2 and v1 and read it back from MES. */
const twoSmokeScenarios = [
  'run',
  `${repoRoot}features/order-flow.feature:6:16`,
  '--tags',
  '@smoke',
  '--json',
];

async function runAgainst(cwd: string): Promise<{ summary: Summary; envelopes: Envelope[]; output: string }> {
  const result = await runMesE2e(twoSmokeScenarios, { cwd, env, timeoutMs: 180_000 });
  const output = result.stdout + result.stderr;
  const summary = JSON.parse(result.stdout) as Summary;
  const envelopes = readFileSync(join(summary.reports, 'messages.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Envelope);
  assert.equal(summary.counts.scenarios, 2, output);
  assert.equal(summary.counts.passed, 2, `every scenario passed: ${output}`);
  return { summary, envelopes, output };
}

/** The violations records attached to scenarios (the run's own record comes after them). */
const violationAttachments = (envelopes: readonly Envelope[]) =>
  envelopes.flatMap((envelope) =>
    envelope.attachment?.mediaType === violationsMediaType && envelope.attachment.testCaseStartedId
      ? [envelope.attachment]
      : [],
  );

/** The status of every step of each attempt at a scenario, by the attempt's testCaseStartedId. */
function stepStatuses(envelopes: readonly Envelope[]): Map<string, string[]> {
  const statuses = new Map<string, string[]>();
  for (const { testStepFinished } of envelopes) {
    if (!testStepFinished) continue;
    const id = testStepFinished.testCaseStartedId;
    statuses.set(id, [...(statuses.get(id) ?? []), testStepFinished.testStepResult.status]);
  }
  return statuses;
}

describe('answers checked against the OpenAPI documents in a run', { timeout: 600_000 }, () => {
  it('blocks a MES that answers with an undeclared status, recorded on the scenarios that got it while they passed', async () => {
    const cwd = project({
      components: { mes: { source: 'process', env: { MES_FAULT: 'undeclared-status' } } },
    });
    const { summary, envelopes } = await runAgainst(cwd);
    assert.equal(summary.verdict, 'BLOCK');
    assert.deepEqual(summary.reasons, [
      `answer-contract (every HTTP answer matches the OpenAPI document): mes GET /api/orders/{id}: status 203 is not declared (declared: 200, 404) (2 times); seen while "A B2C order placed through API v2 is priced with the right total", "A B2B order placed through API v1 gets the business discount" ran`,
    ]);
    const attachments = violationAttachments(envelopes);
    assert.equal(attachments.length, 2, 'one violations record per scenario');
    const statuses = stepStatuses(envelopes);
    for (const attachment of attachments) {
      assert.equal(attachment.fileName, 'violations.json');
      const scenarioSteps = statuses.get(attachment.testCaseStartedId ?? '') ?? [];
      assert.ok(scenarioSteps.length > 0, 'attached to a scenario');
      assert.deepEqual(new Set(scenarioSteps), new Set(['PASSED']), 'a scenario that passed');
      const { violations } = JSON.parse(attachment.body) as ViolationsBody;
      // One violation however often the scenario read the order: waiting for "priced" polls the read.
      assert.equal(violations.length, 1, attachment.body);
      const [violation] = violations;
      assert.equal(violation?.rule, 'answer-contract');
      assert.equal(violation?.where, 'mes GET /api/orders/{id}');
      assert.equal(violation?.problem, 'status 203 is not declared (declared: 200, 404)');
      assert.match(violation?.evidence ?? '', /^203 \{"id":"[0-9a-f-]{36}"/);
    }
  });
});
