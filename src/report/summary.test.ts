// The step summary says what the verdict says: heading, counts, every reason, and the scenarios to look at.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Envelope } from '@cucumber/messages';
import { compatibilityStream as cck } from '../../test/support/compatibility-kit.ts';
import { stopped, wentThrough } from '../../test/support/journeys.ts';
import { evaluateResults, type GateVerdict } from '../gate/results.ts';
import type { ScenarioOutcome } from '../gate/scenarios.ts';
import type { ScenarioJourneys } from './failed-journeys.ts';
import { type SummaryInfo, summaryMarkdown } from './summary.ts';

const judge = (envelopes: readonly Envelope[]) => evaluateResults([{ source: 'messages.ndjson', envelopes }]);

function summaryOf(
  sample: string,
  info: SummaryInfo = { runId: 'run-7' },
): { verdict: GateVerdict; markdown: string } {
  const verdict = judge(cck(sample));
  return { verdict, markdown: summaryMarkdown(verdict, info) };
}

/** Cells of a markdown table row, splitting only on pipes that are not escaped. */
function cells(line: string): string[] {
  return line
    .replace(/^\|\s*|\s*\|$/g, '')
    .split(/\s*(?<!\\)\|\s*/)
    .map((cell) => cell.trim());
}

function tableAfter(markdown: string, header: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => line.startsWith(header));
  assert.ok(start >= 0, `no table starting with ${header}`);
  const end = lines.findIndex((line, index) => index > start && !line.startsWith('|'));
  return lines.slice(start, end < 0 ? undefined : end).map(cells);
}

describe('summaryMarkdown', () => {
  it('heads a passing run with PROMOTE and lists no reason and no scenario', () => {
    const { markdown } = summaryOf('minimal');
    assert.match(markdown.split('\n')[0] ?? '', /^## .*PROMOTE.*run-7/);
    assert.doesNotMatch(markdown, /BLOCK|### /);
  });

  it('heads a blocked run with BLOCK and gives every reason as a list item', () => {
    for (const sample of ['undefined', 'retry', 'ambiguous', 'pending', 'global-hooks-beforeall-error']) {
      const { verdict, markdown } = summaryOf(sample);
      assert.equal(verdict.verdict, 'BLOCK');
      assert.match(markdown.split('\n')[0] ?? '', /^## .*BLOCK/);
      const items = markdown.split('\n').filter((line) => line.startsWith('- '));
      assert.equal(items.length, verdict.reasons.length, sample);
      for (const [index, reason] of verdict.reasons.entries()) {
        assert.equal(items[index]?.replace(/\\(.)/g, '$1'), `- ${reason}`);
      }
    }
  });

  it('puts the counts in a table', () => {
    const { verdict, markdown } = summaryOf('retry');
    const [header, , values] = tableAfter(markdown, '| scenarios');
    assert.ok(header && values);
    const counts = Object.fromEntries(header.map((name, index) => [name, Number(values[index])]));
    assert.deepEqual(counts, verdict.counts);
    assert.match(markdown, /also counted as passed/);
  });

  it('lists the undefined, failed and flaky scenarios with place, status and message', () => {
    const undefinedRows = tableAfter(summaryOf('undefined').markdown, '| Scenario').slice(2);
    assert.equal(undefinedRows.length, 4);
    assert.deepEqual(undefinedRows[0], [
      'An undefined step causes a failure',
      'samples/undefined/undefined.feature:8',
      'UNDEFINED',
      'no step definition matches it (at step "Given a step that is yet to be defined")',
    ]);
    const retryRows = tableAfter(summaryOf('retry').markdown, '| Scenario').slice(2);
    assert.deepEqual(
      retryRows.map(([, where, status, message]) => [where, status, message?.split(' (at')[0]]),
      [
        ['samples/retry/retry.feature:11', 'FLAKY (passed on attempt 2)', 'Exception in step'],
        ['samples/retry/retry.feature:14', 'FLAKY (passed on attempt 3)', 'Exception in step'],
        ['samples/retry/retry.feature:17', 'FAILED after 3 attempts', 'Exception in step'],
      ],
    );
  });

  it('keeps a multi-line assertion message on one line', () => {
    const rows = tableAfter(summaryOf('examples-tables').markdown, '| Scenario').slice(2);
    assert.match(rows[0]?.[3] ?? '', /^Expected values to be strictly equal: -8 !== 0 \(at step/);
  });

  it('escapes pipes, markdown and HTML in names and messages', () => {
    const renamed = cck('undefined').map((envelope) =>
      envelope.pickle?.name === 'An undefined step causes a failure'
        ? { pickle: { ...envelope.pickle, name: 'a | b <b>bold</b> *x*' } }
        : envelope,
    );
    const markdown = summaryMarkdown(judge(renamed), { runId: 'run-7' });
    const row = tableAfter(markdown, '| Scenario')[2];
    assert.equal(row?.length, 4);
    assert.equal(row?.[0], 'a \\| b \\<b\\>bold\\</b\\> \\*x\\*');
    assert.doesNotMatch(markdown, /<b>/);
  });

  it('says how long the run took and where the report is', () => {
    const { markdown } = summaryOf('minimal', {
      runId: 'run-7',
      durationMs: 125_000,
      reportDir: 'reports/run-7/allure-report',
    });
    assert.match(markdown, /took 2 min 5 s/);
    assert.match(markdown, /report: reports\/run-7\/allure-report/);
  });

  it('lists at most 50 scenarios and says how many more there are', () => {
    const verdict = judge(cck('undefined'));
    const one = verdict.scenarios[0] as ScenarioOutcome;
    const many = Array.from({ length: 73 }, (_, index) => ({ ...one, line: index + 1 }));
    const markdown = summaryMarkdown({ ...verdict, scenarios: many }, { runId: 'run-7' });
    assert.equal(tableAfter(markdown, '| Scenario').length - 2, 50);
    assert.match(markdown, /and 23 more: see the report/);
  });

  it('lists every budget the gate checked, with the measured value against its limit', () => {
    const verdict = judge(cck('minimal'));
    const markdown = summaryMarkdown(
      {
        ...verdict,
        budgets: [
          {
            figure: 'created_to_priced_ms.b2c',
            statistic: 'p95',
            max: 2000,
            value: 850.44,
            samples: 10,
            ok: true,
          },
          { figure: 'mes.list_ms', statistic: 'max', max: 50, value: 73, samples: 4, ok: false },
          {
            figure: 'created_to_priced_ms.b2b',
            statistic: 'p50',
            max: 9000,
            value: undefined,
            samples: 0,
            ok: false,
          },
        ],
      },
      { runId: 'run-7' },
    );
    assert.deepEqual(tableAfter(markdown, '| Figure').slice(2), [
      ['created\\_to\\_priced\\_ms.b2c', 'p95', '850.4', '2000', '10', '✅ yes'],
      ['mes.list\\_ms', 'max', '73', '50', '4', '❌ no'],
      ['created\\_to\\_priced\\_ms.b2b', 'p50', 'not recorded', '9000', '0', '❌ no'],
    ]);
  });

  it('says a compromised run is not a product failure, and what broke', () => {
    const verdict = judge(cck('minimal'));
    const markdown = summaryMarkdown(
      { ...verdict, verdict: 'BLOCK', compromised: ['crm is not ready at the end of the run (exited)'] },
      { runId: 'run-7' },
    );
    assert.match(markdown.split('\n')[0] ?? '', /^## ❌ BLOCK \(environment broke\): mes-e2e run run-7/);
    assert.match(markdown, /not a product failure/);
    assert.match(markdown, /^- crm is not ready at the end of the run \(exited\)$/m);
  });

  it('draws where the orders of failed scenarios stopped as Mermaid charts, five at most', () => {
    const verdict = judge(cck('retry'));
    const failed = (index: number): ScenarioJourneys => ({
      name: `failing *${index}*`,
      uri: 'features/orders.feature',
      line: 10 + index,
      journeys: [wentThrough, { ...stopped, orderId: `ord-${index}` }],
    });
    const markdown = summaryMarkdown(verdict, {
      runId: 'run-7',
      journeys: Array.from({ length: 7 }, (_, index) => failed(index)),
    });
    const section = markdown.slice(markdown.indexOf('### Where the orders of failed scenarios stopped'));
    const charts = [...section.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((match) => match[1] ?? '');
    assert.equal(charts.length, 5);
    assert.ok(
      charts.every(
        (chart) => chart.startsWith('gantt\n') && chart.includes('STOPPED before pricing completed'),
      ),
    );
    assert.match(
      section,
      /^\*\*failing \\\*0\\\*\*\* \(features\/orders\.feature:10\): order ord-0 \(2 of 2 orders\) stopped before \*\*pricing completed\*\* \(pricing\)$/m,
    );
    assert.match(section, /and 2 more failed scenarios: see journey\.svg in the report/);
  });

  it("stays within GitHub's 1 MiB job summary on a suite of thousands of failures, each with a long message", () => {
    const verdict = judge(cck('retry'));
    const one = verdict.scenarios.find((scenario) => scenario.status === 'FAILED') as ScenarioOutcome;
    const message = `expected the order to be priced, ${'but it was not '.repeat(60)}`;
    const scenarios = Array.from({ length: 3000 }, (_, index) => ({
      ...one,
      name: `failing scenario number ${index} ${'with a long name '.repeat(6)}`,
      line: index + 1,
      message,
    }));
    const reasons = scenarios.map((scenario) => `scenario "${scenario.name}" FAILED: ${message}`);
    const budgets = Array.from({ length: 40 }, (_, index) => ({
      figure: `figure_${index}_ms`,
      statistic: 'p95',
      max: 100,
      value: 200,
      samples: 10,
      ok: false,
      percentiles: { p50: 50, p90: 150, p95: 200, p99: 210, max: 220, mean: 90 },
    }));
    const failed = (index: number): ScenarioJourneys => ({
      name: `failing ${index}`,
      uri: 'features/orders.feature',
      line: index,
      journeys: [wentThrough, stopped],
    });
    const markdown = summaryMarkdown(
      { ...verdict, scenarios, reasons, budgets },
      {
        runId: 'run-7',
        journeys: Array.from({ length: 3000 }, (_, index) => failed(index)),
      },
    );
    const bytes = Buffer.byteLength(markdown);
    assert.ok(bytes < 1024 * 1024, `summary.md is ${bytes} bytes`);
    assert.match(markdown, /and 2950 more: see the report/, 'the scenarios left out are counted');
    assert.match(markdown, /and 2950 more reasons: every one is in gate\.json/, 'so are the reasons');
    assert.match(markdown, /and 28 more budgets: their plots are in report\.html/);
  });

  it('draws no chart when no failed scenario attached a journey', () => {
    const markdown = summaryMarkdown(judge(cck('retry')), { runId: 'run-7', journeys: [] });
    assert.doesNotMatch(markdown, /mermaid|Where the orders/);
  });
});
