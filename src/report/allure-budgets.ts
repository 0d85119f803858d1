// Each budget of the policy as a result of its own in the Allure report (suite "mes-e2e budgets"):
// passed when it held, failed when it did not, with the percentile plot attached. Its history id
// is the budget's figure and statistic, so Allure's history and trend show the same budget run to run.
import { createHash, randomUUID } from 'node:crypto';
import { type BudgetPlot, budgetPlotSvg, budgetPlotTitle } from '../charts/budget-plot.ts';
import type { AttachmentSink } from './allure-attachments.ts';
import type { AllureResult } from './allure-model.ts';

/** The suite the budget results are grouped under, apart from every feature file. */
export const budgetSuite = 'mes-e2e budgets';

export function budgetResults(
  plots: readonly BudgetPlot[],
  at: number,
  sink: AttachmentSink,
): AllureResult[] {
  return plots.map((plot, index) => {
    const uuid = randomUUID();
    const id = createHash('md5').update(`budget ${plot.figure} ${plot.statistic}`).digest('hex');
    const source = `${uuid}-attachment.svg`;
    sink.push({ source, content: Buffer.from(budgetPlotSvg(plot, `budget-${index + 1}`)) });
    const judged = plot.bars.find((bar) => bar.judged);
    return {
      uuid,
      name: `Budget: ${plot.figure} ${plot.statistic} at most ${plot.max}`,
      fullName: `${budgetSuite}: ${plot.figure} ${plot.statistic}`,
      historyId: id,
      testCaseId: id,
      labels: [
        { name: 'suite', value: budgetSuite },
        { name: 'feature', value: 'Budgets' },
        { name: 'severity', value: 'critical' },
      ],
      parameters: [
        { name: 'measured', value: String(judged?.value ?? '') },
        { name: 'limit', value: String(plot.max) },
        { name: 'samples', value: String(plot.samples) },
      ],
      status: plot.ok ? 'passed' : 'failed',
      statusDetails: { message: budgetPlotTitle(plot) },
      stage: 'finished',
      start: at,
      stop: at,
      steps: [],
      attachments: [{ name: `${plot.figure} against its budget`, type: 'image/svg+xml', source }],
      links: [],
    };
  });
}
