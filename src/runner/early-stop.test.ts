// The run stops once, at the failure that reaches the limit, counting only failures that would block.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultPolicy, type Policy } from '../gate/policy.ts';
import { earlyStop } from './early-stop.ts';
import type { ScenarioFinished } from './progress.ts';

const finished = (name: string, status: string, more: Partial<ScenarioFinished> = {}): ScenarioFinished => ({
  name,
  uri: 'features/a.feature',
  line: 3,
  tags: [],
  status,
  durationMs: 1,
  willBeRetried: false,
  attempt: 0,
  message: undefined,
  done: 0,
  total: 0,
  ...more,
});

const quarantining: Policy = {
  ...defaultPolicy,
  quarantine: {
    ...defaultPolicy.quarantine,
    entries: [{ scenario: 'known', owner: '@qa', reason: 'r', expires: '2999-12-31', line: 1 }],
  },
};

function watch(maxFailures: number, policy: Policy = defaultPolicy) {
  const stopFile = join(mkdtempSync(join(tmpdir(), 'mes-e2e-stop-')), 'run-stopped.json');
  const said: string[] = [];
  const see = earlyStop({ maxFailures, policy, stopFile, onStop: (reason) => said.push(reason) });
  return { see, said, stopFile };
}

describe('earlyStop', () => {
  it('stops at the second failure for good, not at a retried attempt, a pass or a skip', () => {
    const { see, said, stopFile } = watch(2);
    see(finished('a', 'FAILED', { willBeRetried: true }));
    see(finished('b', 'PASSED'));
    see(finished('c', 'SKIPPED'));
    see(finished('a', 'FAILED', { attempt: 1 }));
    assert.equal(existsSync(stopFile), false);
    see(finished('d', 'UNDEFINED'));
    assert.equal(said.length, 1);
    assert.deepEqual(JSON.parse(readFileSync(stopFile, 'utf8')), { reason: said[0] });
    see(finished('e', 'FAILED'));
    assert.equal(said.length, 1, 'it says so once');
  });

  it('does not count a failure the quarantine exempts', () => {
    const { see, said } = watch(1, quarantining);
    see(finished('known', 'FAILED'));
    assert.deepEqual(said, []);
    see(finished('new', 'FAILED'));
    assert.match(said[0] ?? '', /stopped at its first failure/);
  });

  it('never stops with a limit of 0', () => {
    const { see, stopFile } = watch(0);
    for (const name of ['a', 'b', 'c']) see(finished(name, 'FAILED'));
    assert.equal(existsSync(stopFile), false);
  });
});
