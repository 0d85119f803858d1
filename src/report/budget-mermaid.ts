// A budget's percentile plot (charts/budget-plot.ts) as a Mermaid xychart, which GitHub draws in a
// job summary: a bar per percentile, the budget's own marked in its label, the limit as a line across.
import { type BudgetPlot, budgetPlotTitle, niceCeiling } from '../charts/budget-plot.ts';
import { mermaidText } from './journey-mermaid.ts';

/** `of` names whose plot it is when it is not this run's (the run before). */
export function budgetPlotMermaid(plot: BudgetPlot, of?: string): string {
  const labels = plot.bars.map((bar) => `"${bar.label}${bar.judged ? ' (budget)' : ''}"`);
  const top = niceCeiling(Math.max(plot.max, ...plot.bars.map((bar) => bar.value)) * 1.1);
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${mermaidText(`${of ? `${of}: ` : ''}${budgetPlotTitle(plot)}`, 160)}"`,
    `  x-axis [${labels.join(', ')}]`,
    `  y-axis "${mermaidText(plot.figure)}" 0 --> ${top}`,
    `  bar [${plot.bars.map((bar) => bar.value).join(', ')}]`,
    `  line [${plot.bars.map(() => plot.max).join(', ')}]`,
    '```',
  ].join('\n');
}
