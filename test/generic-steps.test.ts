// The generic step library against the reference stack, through the real executable on the local
// profile (the test run's broker and database): a feature written only with generic steps passes, and
// wrong expectations fail saying what was expected, what came and where. Also what the steps' drivers
// refuse: declaring on someone else's broker, and writing through a read-only query.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BrokerNotOursError, openBusCapture } from '../src/drivers/bus-capture.ts';
import { createDatabaseProbe } from '../src/drivers/database-probe.ts';
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
  const dir = mkdtempSync(join(tmpdir(), 'mes-e2e-generic-'));
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

interface Envelope {
  attachment?: { body: string; mediaType: string; fileName?: string };
  pickle?: { id: string; name: string };
  testCase?: { id: string; pickleId: string };
  testCaseStarted?: { id: string; testCaseId: string };
  testStepFinished?: { testCaseStartedId: string; testStepResult: { status: string; message?: string } };
}

describe('generic steps', { timeout: 300_000 }, () => {
  it('follow an order end to end on the reference stack, and a wrong matcher fails saying where', async () => {
    const cwd = project();
    const result = await runMesE2e(
      [
        'run',
        fixture('generic-steps.feature'),
        fixture('generic-steps-wrong.feature'),
        // The same feature passes on the second pipeline (test/cli-second-pipeline.test.ts).
        fixture('generic-both-pipelines.feature'),
        '--tags',
        'not @second-pipeline',
        '--json',
      ],
      { cwd, env, timeoutMs: 240_000 },
    );
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const summary = JSON.parse(result.stdout) as { reports: string; counts: Record<string, number> };
    assert.deepEqual([summary.counts.passed, summary.counts.failed], [2, 2], JSON.stringify(summary.counts));

    const envelopes = readFileSync(join(summary.reports, 'messages.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Envelope);
    const pickleName = new Map(envelopes.flatMap((e) => (e.pickle ? [[e.pickle.id, e.pickle.name]] : [])));
    const testCasePickle = new Map(
      envelopes.flatMap((e) => (e.testCase ? [[e.testCase.id, e.testCase.pickleId]] : [])),
    );
    const scenarioOf = new Map(
      envelopes.flatMap((e) =>
        e.testCaseStarted
          ? [[e.testCaseStarted.id, pickleName.get(testCasePickle.get(e.testCaseStarted.testCaseId) ?? '')]]
          : [],
      ),
    );
    const failures = new Map(
      envelopes.flatMap((e) =>
        e.testStepFinished?.testStepResult.status === 'FAILED'
          ? [
              [
                scenarioOf.get(e.testStepFinished.testCaseStartedId),
                e.testStepFinished.testStepResult.message ?? '',
              ],
            ]
          : [],
      ),
    );
    assert.deepEqual(
      [...failures.keys()].sort(),
      [
        'A path built from a value that was never remembered',
        'An accepted order expected with a numeric status',
      ],
      [...failures.values()].join('\n---\n'),
    );
    assert.match(
      failures.get('An accepted order expected with a numeric status') ?? '',
      /the answer to POST \/v2\/orders on crm:\nat \$\.status: expected #number, got "accepted"\nat \$\.lines\[0\]\.quantity: expected #string, got 1/,
    );
    assert.match(
      failures.get('A path built from a value that was never remembered') ?? '',
      /no value named \{orderID\}; the names this scenario knows: \{uuid\}, \{run\.id\}, \{secret\.b2c-web\}/,
    );

    const attachments = envelopes.flatMap((e) => (e.attachment ? [e.attachment] : []));
    const named = (pattern: RegExp) => attachments.filter((a) => pattern.test(a.fileName ?? ''));
    const posted = JSON.parse(named(/-http-post-crm\.json$/)[0]?.body ?? '{}') as {
      request?: { headers?: Record<string, string> };
      answer?: { status?: number };
    };
    assert.equal(posted.request?.headers?.['X-API-Key'], '***', 'the API key is masked in the report');
    assert.ok(posted.answer?.status === 201, 'the answer is attached');
    for (const attachment of attachments) {
      assert.doesNotMatch(
        attachment.body,
        /\b(b2c|b2b|partner)-[0-9a-f]{24}\b/,
        `an API key in ${attachment.fileName}`,
      );
    }
    for (const kind of ['amqp-matched', 'amqp-published', 'amqp-dead-letter', 'sql', 'http-get-mes']) {
      assert.ok(named(new RegExp(`-${kind}\\.json$`)).length > 0, `${kind} attached`);
    }
    const figures = attachments
      .filter((a) => a.mediaType === 'application/vnd.mes-e2e.figures+json')
      .map((a) => JSON.parse(a.body) as Record<string, number[]>);
    const figure = (name: string) => figures.find((f) => name in f)?.[name]?.[0];
    assert.ok((figure('generic_created_to_priced_ms') ?? 0) > 0, 'elapsed time recorded');
    assert.ok(Number.isInteger(figure('generic_order_total_cents')), 'remembered total recorded');
  });

  it('refuses to declare a capture queue on a broker the run does not own, saying why', async () => {
    const capture = await openBusCapture(shared.amqpUrl, { mayDeclare: false, owner: 'profile staging' });
    try {
      await assert.rejects(
        capture.watch('orders', '#'),
        (error: unknown) =>
          error instanceof BrokerNotOursError &&
          /watching exchange "orders" needs a queue of this run's own .*profile staging/.test(error.message),
      );
    } finally {
      await capture.close();
    }
  });

  it('runs queries read-only, whatever they say', async () => {
    const probe = createDatabaseProbe(shared.databaseUrl);
    try {
      assert.deepEqual((await probe.readOnlyQuery('select $1::int + 1 as n', [41])).rows, [{ n: 42 }]);
      await assert.rejects(
        probe.readOnlyQuery('create table generic_steps_probe (id int)', []),
        /read-only transaction/,
      );
      await assert.rejects(
        probe.readOnlyQuery('commit; create table generic_steps_probe (id int)', []),
        /multiple commands/,
      );
      const tables = await probe.readOnlyQuery("select to_regclass('generic_steps_probe') as t", []);
      assert.deepEqual(tables.rows, [{ t: null }]);
    } finally {
      await probe.close();
    }
  });
});
