// A budget's percentile plot: the bars are the gate's own percentiles of the samples, the bar the
// budget judges is the one marked and equals the gate's value, the limit is drawn, and the same plot
// reads as words (title, description) and as a Mermaid xychart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { elements, wellFormed } from '../../test/support/svg-elements.ts';
import { checkBudgets } from '../gate/coverage.ts';
import { figuresEnvelope } from '../gate/figures.ts';
import { defaultPolicy } from '../gate/policy.ts';
import { budgetPlotMermaid } from '../report/budget-mermaid.ts';
import { budgetPlotOf, budgetPlotSvg } from './budget-plot.ts';

/** The picture's title, description and every text drawn, read back from well-formed XML. */
function readSvg(svg: string) {
  const all = elements(wellFormed(svg));
  const textOf = (name: string) =>
    all.filter((each) => each.name === name).map((each) => String(each.node['#text']));
  return { title: textOf('title')[0] ?? '', desc: textOf('desc')[0] ?? '', texts: textOf('text') };
}

// 1..100 ms: nearest-rank percentiles are the ranks themselves.
const samples = Array.from({ length: 100 }, (_, index) => index + 1);

function checked(max: number) {
  const policy = {
    ...defaultPolicy,
    budgets: [{ figure: 'created_to_priced_ms.b2c', statistic: 'p95' as const, max }],
  };
  const [check] = checkBudgets([[figuresEnvelope({ 'created_to_priced_ms.b2c': samples })]], policy);
  return check ?? assert.fail('no check');
}

describe('budgetPlotOf', () => {
  it("draws the gate's percentiles, the judged one being the value the gate judged", () => {
    const check = checked(90);
    const plot = budgetPlotOf(check) ?? assert.fail('no plot');
    assert.deepEqual(
      plot.bars.map((bar) => [bar.label, bar.value, bar.judged]),
      [
        ['p50', 50, false],
        ['p90', 90, false],
        ['p95', 95, true],
        ['p99', 99, false],
        ['max', 100, false],
      ],
    );
    assert.equal(plot.bars.find((bar) => bar.judged)?.value, check.value);
    assert.equal(plot.ok, false);
  });

  it('has nothing to draw when no scenario recorded the figure', () => {
    const { percentiles, ...unrecorded } = checked(90);
    assert.ok(percentiles);
    assert.equal(budgetPlotOf({ ...unrecorded, samples: 0 }), undefined);
  });
});

describe('budgetPlotSvg', () => {
  it('names the verdict and draws the limit, in words for a screen reader too', () => {
    const plot = budgetPlotOf(checked(90)) ?? assert.fail('no plot');
    const svg = budgetPlotSvg(plot, 'budget-1');
    const picture = readSvg(svg);
    assert.equal(picture.title, 'created_to_priced_ms.b2c: p95 95 over the budget of 90 (100 samples)');
    assert.match(picture.desc, /p95 95 \(judged\).*at most 90: over/);
    assert.ok(picture.texts.includes('budget: p95 at most 90'), picture.texts.join(' | '));
    const within = budgetPlotSvg(budgetPlotOf(checked(120)) ?? assert.fail('no plot'), 'b');
    assert.match(readSvg(within).title, /p95 95 within the budget of 120/);
  });
});

describe('budgetPlotMermaid', () => {
  it('is an xychart with a bar per percentile and the limit as a line across', () => {
    const plot = budgetPlotOf(checked(90)) ?? assert.fail('no plot');
    const lines = budgetPlotMermaid(plot).split('\n');
    assert.deepEqual(lines.slice(0, 2), ['```mermaid', 'xychart-beta']);
    assert.ok(lines.includes('  bar [50, 90, 95, 99, 100]'), lines.join('\n'));
    assert.ok(lines.includes('  line [90, 90, 90, 90, 90]'), lines.join('\n'));
    assert.ok(lines.includes('  x-axis ["p50", "p90", "p95 (budget)", "p99", "max"]'), lines.join('\n'));
  });
});
