// A run stops starting scenarios once enough have failed for good (--max-failures, default 5;
// --fail-fast is 1): quarantined failures do not count, every scenario left out says it did not run
// and why, the verdict names them in one reason, and the reports show them as not run, never passed.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixtureProject } from './support/fixture-project.ts';
import { runMesE2e } from './support/run-cli.ts';

const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };

const quarantine = [
  '- scenario: quarantined and failing',
  '  owner: "@qa-team"',
  '  reason: fails on purpose, to show a quarantined failure does not count',
  '  expires: 2999-12-31',
  '',
].join('\n');

interface Summary {
  verdict: 'PROMOTE' | 'BLOCK';
  reasons: string[];
  counts: Record<string, number>;
  reports: string;
}

const cwd = fixtureProject('many-failing.feature', { quarantine, prefix: 'mes-e2e-early-stop-' });

async function run(args: readonly string[]): Promise<Summary & { stderr: string }> {
  const result = await runMesE2e(['run', '--json', ...args], { cwd, env, timeoutMs: 120_000 });
  assert.equal(result.code, 1, `run exited ${result.code}: ${result.stderr}`);
  return { ...(JSON.parse(result.stdout) as Summary), stderr: result.stderr };
}

/** The Allure results of the run's scenarios, by name (the final attempt of each). */
function allureResults(reports: string): Map<string, { status: string; message?: string }> {
  const dir = join(reports, 'allure-results');
  const results = readdirSync(dir)
    .filter((file) => file.endsWith('-result.json'))
    .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')));
  return new Map(
    results.map((result) => [result.name, { status: result.status, message: result.statusDetails?.message }]),
  );
}

describe('stopping a failing run early', { timeout: 300_000 }, () => {
  // The runs share one environment (env up keeps it; run reuses it): stopping is what is tested here.
  before(async () => {
    const up = await runMesE2e(['env', 'up'], { cwd, env, timeoutMs: 120_000 });
    assert.equal(up.code, 0, up.stderr);
  });
  after(() => runMesE2e(['env', 'down'], { cwd, env }));

  it('stops after --max-failures scenarios failed, not counting a quarantined one, and says what did not run', async () => {
    const stopped = await run(['--max-failures', '2']);
    assert.equal(stopped.verdict, 'BLOCK');
    assert.equal(stopped.counts.failed, 2, JSON.stringify(stopped.counts));
    assert.equal(stopped.counts.quarantined, 1);
    assert.equal(stopped.counts.passed, 1);
    assert.equal(stopped.counts.skipped, 6);
    const notRun = stopped.reasons.filter((reason) => reason.includes('did not run'));
    assert.equal(notRun.length, 1, stopped.reasons.join('\n'));
    assert.match(
      notRun[0] ?? '',
      /^6 scenarios did not run: the run stopped after 2 scenarios failed \(max failures 2; --max-failures 0 runs every scenario\): "failure 3" \(features\/many-failing\.feature:\d+\)/,
    );
    assert.ok(stopped.reasons.some((reason) => reason.includes('"failure 2"') && reason.includes('FAILED')));
    assert.match(
      stopped.stderr,
      /the run stopped after 2 scenarios failed .*: scenarios not started yet will not run/,
    );

    const allure = allureResults(stopped.reports);
    assert.equal(allure.get('failure 2')?.status, 'failed');
    assert.equal(allure.get('passing 2')?.status, 'skipped');
    assert.match(
      allure.get('passing 2')?.message ?? '',
      /^not run: the run stopped after 2 scenarios failed/,
    );
    const junit = readFileSync(join(stopped.reports, 'junit.xml'), 'utf8');
    assert.match(junit, /skipped="6"/);
  });

  // 0 (no limit) is the early-stop unit test's and the configuration tests' to show: one run fewer here.
  it('stops after five failures by default', async () => {
    const byDefault = await run([]);
    assert.equal(byDefault.counts.failed, 5, JSON.stringify(byDefault.counts));
    assert.equal(byDefault.counts.skipped, 3);
  });

  it('with --fail-fast, two at a time, stops at the first failure and lets the running scenario finish', async () => {
    const failFast = await run(['--fail-fast', '--parallel', '2']);
    const { failed = 0, passed = 0, quarantined = 0, skipped = 0 } = failFast.counts;
    assert.ok(failed >= 1 && failed <= 2, JSON.stringify(failFast.counts));
    assert.ok(skipped >= 5, JSON.stringify(failFast.counts));
    assert.equal(failed + passed + quarantined + skipped, 10);
    assert.match(
      failFast.reasons.find((reason) => reason.includes('did not run')) ?? '',
      new RegExp(`^${skipped} scenarios did not run: the run stopped at its first failure`),
    );
  });

  it('refuses a --max-failures that is not a whole number, naming the flag', async () => {
    const result = await runMesE2e(['run', '--max-failures', 'some'], { cwd, env });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--max-failures: expected a whole number from 0 to 100000, found "some"/);
  });
});
