// Each budget the gate checked, drawn from the samples the run's scenarios recorded (all shards).
import type { Envelope } from '@cucumber/messages';
import { type BudgetPlot, budgetPlotOf } from '../charts/budget-plot.ts';
import type { BudgetCheck } from '../gate/coverage.ts';
import { collectFigures } from '../gate/figures.ts';

/** One plot per budget whose figure was recorded, in the policy's order. */
export function budgetPlots(
  streams: ReadonlyArray<readonly Envelope[]>,
  budgets: readonly BudgetCheck[],
): BudgetPlot[] {
  if (budgets.length === 0) return [];
  const figures = collectFigures(streams);
  return budgets.flatMap((check) => budgetPlotOf(check, figures[check.figure] ?? []) ?? []);
}
