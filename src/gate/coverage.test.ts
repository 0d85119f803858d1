// Budgets against the figures a run recorded: over the limit blocks, within it passes, and a figure no
// scenario recorded blocks unless the budget is held only when recorded (the reference stack's own).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkBudgets, wholeRunReasons } from './coverage.ts';
import { figuresEnvelope } from './figures.ts';
import { type Budget, defaultPolicy } from './policy.ts';

const withBudgets = (...budgets: Budget[]) => ({ ...defaultPolicy, budgets });
const recorded = [[figuresEnvelope({ 'created_to_priced_ms.b2c': [400, 900, 3000] })]];

describe('checkBudgets', () => {
  it('holds the statistic of every sample to the limit', () => {
    const [within, over] = checkBudgets(
      recorded,
      withBudgets(
        { figure: 'created_to_priced_ms.b2c', statistic: 'p50', max: 1000 },
        { figure: 'created_to_priced_ms.b2c', statistic: 'max', max: 1000 },
      ),
    );
    assert.deepEqual([within?.value, within?.ok, over?.value, over?.ok], [900, true, 3000, false]);
  });

  it('blocks a figure no scenario recorded, unless the budget is held only when recorded', () => {
    const policy = withBudgets(
      { figure: 'mes.list_ms', statistic: 'p95', max: 500 },
      { figure: 'created_to_priced_ms.b2b', statistic: 'p95', max: 20_000, ifRecorded: true },
      { figure: 'created_to_priced_ms.b2c', statistic: 'p95', max: 1000, ifRecorded: true },
    );
    const { reasons, budgets } = wholeRunReasons(recorded, [], policy);
    assert.deepEqual(
      budgets.map((budget) => [budget.figure, budget.samples, budget.ok]),
      [
        ['mes.list_ms', 0, false],
        ['created_to_priced_ms.b2b', 0, true],
        ['created_to_priced_ms.b2c', 3, false],
      ],
    );
    assert.deepEqual(reasons, [
      'budget mes.list_ms p95 <= 500: no scenario recorded the figure, so the budget is not shown to hold',
      'created_to_priced_ms.b2c p95 is 3000, over the budget of 1000 (3 samples)',
    ]);
  });
});
