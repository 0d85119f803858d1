// The read-replica scenarios (features/read-replica.feature) on a real streaming replica: they pass on
// the reference stack, and each BLOCKs a run of the stack broken the way it guards against, with the
// scenario named. The database and its replica are containers of each run (the broker is the test
// run's, the services are processes), so a run costs seconds: no image is built.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EnvironmentRecord } from '../src/environment/environment.ts';
import { leftovers } from './support/docker-leftovers.ts';
import { referenceProject } from './support/fixture-project.ts';
import { chromiumMissing, dockerMissing, skipWhenMissing } from './support/needs.ts';
import { repoRoot, runCommand, runIdFrom, runMesE2e } from './support/run-cli.ts';

const skip =
  skipWhenMissing('read-replica runs', await dockerMissing()) ||
  skipWhenMissing('read-replica runs (a @ui scenario)', await chromiumMissing());

const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };

interface Summary {
  verdict: 'PROMOTE' | 'BLOCK';
  runId: string;
  reasons: string[];
  counts: Record<string, number>;
}

const streams = 'The order list keeps answering from the replica while the primary takes a write burst';
const stops = 'A replica that stops leaves MES answering from the primary, and the panel says so';

/** The reference stack on the local profile, but with its database and the database's replica as containers. */
const replicatedProject = (mesFault?: string) =>
  referenceProject({
    components: {
      postgres: { source: 'container' },
      'postgres-replica': { source: 'container' },
      ...(mesFault ? { mes: { source: 'process', env: { MES_FAULT: mesFault } } } : {}),
    },
  });

async function runReplicaScenarios(
  cwd: string,
  tags: string,
  options: { onEnvUp?: boolean } = {},
): Promise<{ code: number; summary: Summary }> {
  const args = ['run', `${repoRoot}features`, '--tags', tags, '--max-failures', '0', '--json'];
  const result = await runMesE2e(args, { cwd, env, timeoutMs: 240_000 });
  assert.ok(result.stdout.startsWith('{'), result.stdout + result.stderr);
  const summary = JSON.parse(result.stdout) as Summary;
  if (!options.onEnvUp)
    assert.equal(await leftovers(summary.runId), '', 'the run left its database or replica container');
  return { code: result.code, summary };
}

function failedFor(summary: Summary, name: string): string {
  return (
    summary.reasons.find((reason) => reason.includes(`"${name}"`) && reason.includes('FAILED')) ??
    assert.fail(`no failure of "${name}" among the reasons:\n${summary.reasons.join('\n')}`)
  );
}

describe('the read-replica scenarios on a real streaming replica', { timeout: 600_000, skip }, () => {
  it('pass on the reference stack, and a replica slowed down on purpose BLOCKs the first on its lag budget', async () => {
    // One environment kept up for both: the scenarios pass on it, then its replica is slowed down to
    // apply what it receives 2 s late (recovery_min_apply_delay), as an overloaded standby would.
    const cwd = replicatedProject();
    const up = await runMesE2e(['env', 'up'], { cwd, env, timeoutMs: 240_000 });
    try {
      assert.equal(up.code, 0, up.stderr);
      const passed = await runReplicaScenarios(cwd, '@needs-postgres-replica', { onEnvUp: true });
      assert.equal(passed.code, 0, passed.summary.reasons.join('\n'));
      assert.equal(passed.summary.counts.passed, 2);

      const record = JSON.parse(
        readFileSync(join(cwd, 'reports', 'env', 'current.json'), 'utf8'),
      ) as EnvironmentRecord;
      const replica =
        record.containers.find((c) => c.component === 'postgres-replica') ??
        assert.fail('no replica container');
      const slowed = await runCommand('docker', [
        ...['exec', '--user', 'postgres', replica.id, 'psql', '--username', 'mes', '--dbname', 'postgres'],
        ...['-c', "alter system set recovery_min_apply_delay = '2s'", '-c', 'select pg_reload_conf()'],
      ]);
      assert.equal(slowed.code, 0, slowed.stdout + slowed.stderr);
      const lagging = await runReplicaScenarios(cwd, '@needs-postgres-replica and not @destructive', {
        onEnvUp: true,
      });
      assert.equal(lagging.code, 1, lagging.summary.reasons.join('\n'));
      assert.match(failedFor(lagging.summary, streams), /the replica lagged \d+ ms, over the 1000 ms budget/);
    } finally {
      const down = await runMesE2e(['env', 'down'], { cwd, env });
      assert.equal(down.code, 0, down.stdout + down.stderr);
      assert.equal(
        await leftovers(runIdFrom(up.stderr)),
        '',
        'env down left the database or replica container',
      );
    }
  });

  it('are left out where the run has no replica, saying why', async () => {
    const without = await runMesE2e(['list', `${repoRoot}features`, '--tags', '@needs-postgres-replica'], {
      cwd: referenceProject(),
      env,
    });
    assert.match(
      without.stderr,
      /leaving out scenarios tagged @needs-postgres-replica: profile local has no postgres-replica/,
    );
    assert.doesNotMatch(without.stdout, /replica/, 'no replica scenario listed');
  });

  it('block an MES that reads from the primary, and one that does not fall back when the replica stops', async () => {
    // Both at once: each run has its own database, replica and services.
    const [primaryOnly, noFallback] = await Promise.all([
      runReplicaScenarios(
        replicatedProject('reads-on-primary'),
        '@needs-postgres-replica and not @destructive',
      ),
      runReplicaScenarios(
        replicatedProject('no-replica-fallback'),
        '@needs-postgres-replica and @destructive',
      ),
    ]);

    assert.equal(primaryOnly.code, 1, primaryOnly.summary.reasons.join('\n'));
    assert.equal(primaryOnly.summary.verdict, 'BLOCK');
    assert.match(
      failedFor(primaryOnly.summary, streams),
      /MES reading its order list from the replica: not seen within 10000 ms.*"readsFrom":"primary"/,
    );

    assert.equal(noFallback.code, 1, noFallback.summary.reasons.join('\n'));
    assert.equal(noFallback.summary.verdict, 'BLOCK');
    assert.match(
      failedFor(noFallback.summary, stops),
      /the MES order list answering from the primary: not seen within 5000 ms; last seen: the order list answered 500/,
    );
  });
});
