import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunRecord } from './history.ts';
import type { QuarantineReport } from './quarantine.ts';
import { releasableEntries } from './quarantine-release.ts';

const scenario = {
  uri: 'features/shop.feature',
  name: 'Check out',
  line: 3,
  status: 'PASSED' as const,
  passed: true,
  flaky: false,
  exempt: false,
};
const quarantine = (state: 'active' | 'expired' = 'active'): QuarantineReport => ({
  file: 'quarantine.yml',
  judgedOn: '2026-11-30',
  max: 5,
  allowCritical: false,
  entries: [
    {
      entry: { scenario: 'Check out', owner: '@alice', reason: 'flaps', expires: '2026-12-31', line: 4 },
      state,
      scenarios: [scenario],
    },
  ],
});

/** Runs oldest first: each result of Check out, one run each. */
const runs = (...results: Array<'PASSED' | 'FAILED' | 'flaky' | 'absent'>): RunRecord[] =>
  results.map((result, index) => ({
    name: `run-${index + 1}`,
    startedAt: `2026-11-${String(index + 10).padStart(2, '0')}T10:00:00Z`,
    scenarios:
      result === 'absent'
        ? []
        : [
            {
              uri: scenario.uri,
              name: scenario.name,
              tags: [],
              status: result === 'flaky' ? 'PASSED' : result,
              flaky: result === 'flaky',
            },
          ],
  }));

test('an entry whose scenario passed on its first attempt in each of its last N runs is ready to remove', () => {
  const ready = releasableEntries(quarantine(), runs('FAILED', 'PASSED', 'PASSED', 'absent', 'PASSED'), 3);
  assert.deepEqual(ready, [{ entry: 'scenario "Check out"', owner: '@alice', line: 4, cleanRuns: 3 }]);
});

test('a failure or a flaky pass among the last N runs, fewer than N runs, or an expired entry is not', () => {
  assert.deepEqual(releasableEntries(quarantine(), runs('PASSED', 'FAILED', 'PASSED', 'PASSED'), 3), []);
  assert.deepEqual(releasableEntries(quarantine(), runs('PASSED', 'flaky', 'PASSED', 'PASSED'), 3), []);
  assert.deepEqual(releasableEntries(quarantine(), runs('PASSED', 'PASSED'), 3), []);
  assert.deepEqual(releasableEntries(quarantine('expired'), runs('PASSED', 'PASSED', 'PASSED'), 3), []);
});
