// A budget against the figures a run recorded, as a percentile plot: one bar per percentile of the
// samples (the budget's own statistic among them, marked), the limit drawn across as a line, as a
// self-contained SVG (report.html; summary.md draws the same plot in Mermaid, budget-mermaid.ts).
// Percentiles are the gate's (figures.ts), so the bar the budget judges is the value it judged.
import type { BudgetCheck } from '../gate/coverage.ts';
import type { Percentiles } from '../gate/figures.ts';
import { escapeMarkup as esc } from '../journey/markup.ts';

export interface BudgetBar {
  readonly label: string;
  readonly value: number;
  /** The statistic the budget holds to its limit. */
  readonly judged: boolean;
}

export interface BudgetPlot {
  readonly figure: string;
  readonly statistic: string;
  readonly max: number;
  readonly ok: boolean;
  readonly samples: number;
  readonly bars: readonly BudgetBar[];
}

const shownPercentiles = ['p50', 'p90', 'p95', 'p99', 'max'] as const;

/** What a plot needs of a check: a run's own, or one the history kept of the run before. */
export type PlottedCheck = Pick<
  BudgetCheck,
  'figure' | 'statistic' | 'max' | 'ok' | 'samples' | 'percentiles'
>;

/** Undefined when no scenario recorded the figure: there is nothing to draw. */
export function budgetPlotOf(check: PlottedCheck): BudgetPlot | undefined {
  const { percentiles } = check;
  if (!percentiles) return undefined;
  const shown: readonly (keyof Percentiles)[] =
    check.statistic === 'mean' ? [...shownPercentiles, 'mean'] : shownPercentiles;
  return {
    figure: check.figure,
    statistic: check.statistic,
    max: check.max,
    ok: check.ok,
    samples: check.samples,
    bars: shown.map((label) => ({ label, value: percentiles[label], judged: check.statistic === label })),
  };
}

/** The plots of the budgets whose figure was recorded, in the policy's order. */
export const budgetPlotsOf = (checks: readonly PlottedCheck[]): BudgetPlot[] =>
  checks.flatMap((check) => budgetPlotOf(check) ?? []);

const judgedBar = (plot: BudgetPlot) => plot.bars.find((bar) => bar.judged);

/** One sentence: the figure, its judged value against the limit, and the verdict on it. */
export function budgetPlotTitle(plot: BudgetPlot): string {
  const judged = judgedBar(plot);
  const verdict = plot.ok ? 'within' : 'over';
  return `${plot.figure}: ${plot.statistic} ${judged?.value ?? '?'} ${verdict} the budget of ${plot.max} (${plot.samples} samples)`;
}

const size = { width: 520, height: 250, left: 64, right: 24, top: 44, bottom: 40 };
const ink = {
  text: '#212121',
  muted: '#616161',
  grid: '#e0e0e0',
  bar: '#90a4ae',
  ok: '#2e7d32',
  over: '#c62828',
};

export function budgetPlotSvg(plot: BudgetPlot, id: string): string {
  const top = niceCeiling(Math.max(plot.max, ...plot.bars.map((bar) => bar.value)) * 1.1);
  const plotHeight = size.height - size.top - size.bottom;
  const plotWidth = size.width - size.left - size.right;
  const y = (value: number) => round(size.top + plotHeight - (value / top) * plotHeight);
  const slot = plotWidth / plot.bars.length;
  const title = budgetPlotTitle(plot);
  const bars = plot.bars.map((bar, index) => {
    const x = round(size.left + index * slot + slot * 0.2);
    const colour = bar.judged ? (plot.ok ? ink.ok : ink.over) : ink.bar;
    const centre = round(size.left + (index + 0.5) * slot);
    return [
      `<rect x="${x}" y="${y(bar.value)}" width="${round(slot * 0.6)}" height="${round(size.top + plotHeight - y(bar.value))}" fill="${colour}"/>`,
      `<text x="${centre}" y="${y(bar.value) - 4}" text-anchor="middle" fill="${ink.text}">${bar.value}</text>`,
      `<text x="${centre}" y="${size.top + plotHeight + 16}" text-anchor="middle" fill="${ink.text}"${bar.judged ? ' font-weight="bold"' : ''}>${esc(bar.label)}</text>`,
    ].join('');
  });
  const limitY = y(plot.max);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${id}-title" aria-describedby="${id}-desc" viewBox="0 0 ${size.width} ${size.height}" width="${size.width}" height="${size.height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
    `<title id="${id}-title">${esc(title)}</title>`,
    `<desc id="${id}-desc">${esc(descriptionOf(plot))}</desc>`,
    `<rect width="${size.width}" height="${size.height}" fill="#fff"/>`,
    `<text x="12" y="22" font-size="14" font-weight="bold" fill="${ink.text}">${esc(title)}</text>`,
    `<line x1="${size.left}" y1="${size.top + plotHeight}" x2="${size.width - size.right}" y2="${size.top + plotHeight}" stroke="${ink.grid}"/>`,
    `<text x="${size.left - 6}" y="${size.top + plotHeight}" text-anchor="end" fill="${ink.muted}">0</text>`,
    ...bars,
    `<line x1="${size.left}" y1="${limitY}" x2="${size.width - size.right}" y2="${limitY}" stroke="${ink.over}" stroke-width="2" stroke-dasharray="6 4"/>`,
    `<text x="${size.left - 6}" y="${limitY + 4}" text-anchor="end" fill="${ink.over}">${plot.max}</text>`,
    `<text x="${size.width - size.right}" y="${limitY - 6}" text-anchor="end" fill="${ink.over}">budget: ${esc(plot.statistic)} at most ${plot.max}</text>`,
    `<text x="12" y="${size.height - 8}" fill="${ink.muted}">${plot.samples} samples; the bold bar is the one the budget judges</text>`,
    '</svg>',
  ].join('\n');
}

/** The picture in words: every bar, the limit, and which bar the budget judges. */
function descriptionOf(plot: BudgetPlot): string {
  const bars = plot.bars.map((bar) => `${bar.label} ${bar.value}${bar.judged ? ' (judged)' : ''}`);
  return `Percentiles of ${plot.samples} samples of ${plot.figure}: ${bars.join(', ')}. The budget holds ${plot.statistic} to at most ${plot.max}: ${plot.ok ? 'within' : 'over'}.`;
}

export function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].find((factor) => factor * power >= value) ?? 10;
  return step * power;
}

const round = (value: number) => Math.round(value * 10) / 10;
