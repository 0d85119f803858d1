// The history part of summary.md stays short on a big suite: the scenarios that failed or flaked are
// listed with their counts and streaks, the rest only counted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HistoryReport, ScenarioTrend } from '../gate/history.ts';
import { historySection } from './history-summary.ts';

const steady = (n: number): ScenarioTrend => ({
  uri: 'features/big.feature',
  name: `steady ${n}`,
  ran: 10,
  passed: 10,
  failed: 0,
  flaky: 0,
  skipped: 0,
  result: 'passed',
});

const runs = Array.from({ length: 10 }, (_, n) => ({
  name: `run-${n}`,
  startedAt: `2025-01-01T10:0${n}:00.000Z`,
}));

describe('historySection', () => {
  it('lists only the scenarios that failed or flaked, and counts the rest', () => {
    const history: HistoryReport = {
      window: 10,
      runs,
      scenarios: [
        ...Array.from({ length: 500 }, (_, n) => steady(n)),
        {
          ...steady(0),
          name: 'pay | by *card*',
          failed: 3,
          passed: 7,
          result: 'failed',
          failingSince: {
            run: 'run-7',
            startedAt: '2025-01-01T10:07:00.000Z',
            commit: 'abcdef1234567890',
            runs: 3,
          },
        },
        { ...steady(0), name: 'checkout', flaky: 2, passed: 8 },
      ],
    };
    const text = historySection(history);
    assert.equal(
      text.split('\n').filter((line) => line.startsWith('| ')).length,
      4,
      'a header, its rule and two rows',
    );
    assert.match(
      text,
      /^\| pay \\\| by \\\*card\\\* \| features\/big\.feature \| 7\/10 \| 3\/10 \| 0\/10 \| run-7 at abcdef123456, 2025-01-01T10:07:00\.000Z \(3 runs\) \|$/m,
    );
    assert.match(text, /^\| checkout \| .* \| 8\/10 \| 0\/10 \| 2\/10 \| {2}\|$/m);
    assert.match(text, /500 other scenarios passed in every run they were in\./);
    assert.match(text, /No earlier run known was promoted/);
  });

  it('shows the change since the last PROMOTE', () => {
    const text = historySection({
      window: 10,
      runs,
      scenarios: [steady(1)],
      sinceLastPromote: {
        since: { run: 'run-3', startedAt: '2025-01-01T10:03:00.000Z' },
        newlyFailing: [{ uri: 'features/a.feature', name: 'pay' }],
        newlyFlaky: [],
        added: [{ uri: 'features/b.feature', name: 'refund' }],
        removed: [],
      },
    });
    assert.match(text, /No scenario failed or flaked\. 1 other scenario passed in every run it was in\./);
    assert.match(
      text,
      /\*\*Since the last PROMOTE\*\* \(run-3, 2025-01-01T10:03:00\.000Z\):\n\n- newly failing: pay \(features\/a\.feature\)\n- added: refund \(features\/b\.feature\)/,
    );
  });
});
