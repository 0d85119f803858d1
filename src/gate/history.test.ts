// The history reducer: counts over the window, where a failing streak began, the change since the
// last PROMOTE, merging and trimming the runs kept, and the flaky-rate rule over them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backtest } from './backtest.ts';
import { flakyRateReasons } from './flaky-rate.ts';
import { mergeRuns, type RunRecord, type ScenarioRecord, summarizeHistory } from './history.ts';
import { HistoryFileError, historyFileText, parseHistoryFile } from './history-file.ts';
import { defaultPolicy } from './policy.ts';

type Result = 'pass' | 'fail' | 'flaky' | 'skip';

function scenario(name: string, result: Result, tags: string[] = []): ScenarioRecord {
  const status = result === 'fail' ? 'FAILED' : result === 'skip' ? 'SKIPPED' : 'PASSED';
  return { uri: 'features/shop.feature', name, status, flaky: result === 'flaky', tags };
}

/** Run n started n minutes after the first. */
function run(n: number, scenarios: Record<string, Result>, verdict?: 'PROMOTE' | 'BLOCK'): RunRecord {
  return {
    name: `run-${n}`,
    commit: `c${n}`,
    startedAt: new Date(Date.UTC(2025, 0, 1, 10, n)).toISOString(),
    ...(verdict ? { verdict } : {}),
    scenarios: Object.entries(scenarios).map(([name, result]) => scenario(name, result)),
  };
}

const trendOf = (report: ReturnType<typeof summarizeHistory>, name: string) =>
  report.scenarios.find((trend) => trend.name === name);

describe('summarizeHistory', () => {
  it('counts passed, failed and flaky over the last N runs, this one included', () => {
    const earlier = [
      run(1, { checkout: 'fail' }),
      run(2, { checkout: 'flaky' }),
      run(3, { checkout: 'pass' }),
      run(4, { checkout: 'flaky' }),
    ];
    const report = summarizeHistory(earlier, run(5, { checkout: 'pass' }), 3);
    assert.deepEqual(
      report.runs.map((each) => each.name),
      ['run-3', 'run-4', 'run-5'],
    );
    const { ran, passed, failed, flaky, result } = trendOf(report, 'checkout') ?? {};
    assert.deepEqual(
      { ran, passed, failed, flaky, result },
      { ran: 3, passed: 2, failed: 0, flaky: 1, result: 'passed' },
    );
  });

  it('counts only the runs a scenario was in', () => {
    const report = summarizeHistory(
      [run(1, { browse: 'pass' }), run(2, { browse: 'pass', pay: 'fail' })],
      run(3, { pay: 'pass' }),
      10,
    );
    assert.equal(trendOf(report, 'pay')?.ran, 2);
    assert.equal(trendOf(report, 'pay')?.failed, 1);
    assert.equal(trendOf(report, 'browse'), undefined, 'only the scenarios of this run');
  });

  it('finds the run a failing streak began in, past the window and over runs without the scenario', () => {
    const earlier = [
      run(1, { pay: 'pass' }),
      run(2, { pay: 'fail' }),
      run(3, { other: 'pass' }),
      run(4, { pay: 'fail' }),
    ];
    const report = summarizeHistory(earlier, run(5, { pay: 'fail' }), 2);
    assert.deepEqual(trendOf(report, 'pay')?.failingSince, {
      run: 'run-2',
      startedAt: '2025-01-01T10:02:00.000Z',
      commit: 'c2',
      runs: 3,
    });
  });

  it('says a scenario failing for the first time began failing in this run, and gives no streak to a pass', () => {
    const report = summarizeHistory(
      [run(1, { pay: 'flaky', ok: 'fail' })],
      run(2, { pay: 'fail', ok: 'pass' }),
      10,
    );
    assert.equal(trendOf(report, 'pay')?.failingSince?.run, 'run-2');
    assert.equal(trendOf(report, 'pay')?.failingSince?.runs, 1);
    assert.equal(trendOf(report, 'ok')?.failingSince, undefined);
  });

  it('counts the worst outcome of the rows of a scenario outline that share a name', () => {
    const current = run(1, {});
    current.scenarios.push(
      scenario('outline', 'pass'),
      scenario('outline', 'fail'),
      scenario('outline', 'pass'),
    );
    const report = summarizeHistory([], current, 10);
    assert.equal(report.scenarios.length, 1);
    assert.equal(trendOf(report, 'outline')?.failed, 1);
  });

  it('shows what changed since the last PROMOTE: newly failing, newly flaky, added, removed', () => {
    const earlier = [
      run(1, { a: 'pass' }, 'PROMOTE'),
      run(2, { a: 'pass', b: 'pass', c: 'pass', gone: 'pass', steady: 'fail' }, 'PROMOTE'),
      run(3, { a: 'fail' }, 'BLOCK'),
    ];
    const report = summarizeHistory(
      earlier,
      run(4, { a: 'fail', b: 'flaky', c: 'pass', fresh: 'pass', steady: 'fail' }),
      10,
    );
    const change = report.sinceLastPromote;
    assert.equal(change?.since.run, 'run-2');
    const names = (list: Array<{ name: string }> | undefined) => list?.map((each) => each.name);
    assert.deepEqual(names(change?.newlyFailing), ['a']);
    assert.deepEqual(names(change?.newlyFlaky), ['b']);
    assert.deepEqual(names(change?.added), ['fresh']);
    assert.deepEqual(names(change?.removed), ['gone']);
  });

  it('gives this run the budgets of the latest earlier run that recorded any, kept through the history file', () => {
    const budget = (p95: number) => ({
      figure: 'created_to_priced_ms.b2c',
      statistic: 'p95',
      max: 5000,
      value: p95,
      samples: 40,
      ok: p95 <= 5000,
      percentiles: { p50: 900, p90: p95 - 10, p95, p99: p95 + 5, max: p95 + 9, mean: 1000 },
    });
    const earlier = [
      { ...run(1, { a: 'pass' }), budgets: [budget(2100)] },
      { ...run(2, { a: 'pass' }), budgets: [budget(7048)] },
      run(3, { a: 'pass' }),
    ];
    const kept = parseHistoryFile(historyFileText(earlier), 'history.json');
    assert.deepEqual(kept, earlier, 'budgets survive the file');
    const report = summarizeHistory(kept, run(4, { a: 'pass' }), 10);
    assert.deepEqual(report.budgetsBefore, { run: 'run-2', budgets: [budget(7048)] });
    assert.equal(summarizeHistory([run(1, {})], run(2, {}), 10).budgetsBefore, undefined);
  });

  it('has no change to show when no earlier run was promoted', () => {
    const report = summarizeHistory(
      [run(1, { a: 'pass' }, 'BLOCK'), run(2, { a: 'pass' })],
      run(3, { a: 'pass' }),
      10,
    );
    assert.equal(report.sinceLastPromote, undefined);
  });
});

describe('mergeRuns', () => {
  it('keeps each run once, oldest first, and the newest `keep` of them', () => {
    const given = [run(3, {}), run(1, {}), run(2, {}), run(4, {})].map((record) => ({ record }));
    assert.deepEqual(
      mergeRuns(given, 3).map(({ record }) => record.name),
      ['run-2', 'run-3', 'run-4'],
    );
  });

  it('merges a run given twice: its messages, and the verdict recorded then', () => {
    const fromFile = { record: run(1, { a: 'pass' }, 'PROMOTE') };
    const fromFolder = {
      record: run(1, { a: 'pass' }),
      streams: [{ source: 'x', error: 'unread' }],
      judgedNow: 'BLOCK' as const,
    };
    const [merged, ...rest] = mergeRuns([fromFolder, fromFile]);
    assert.equal(rest.length, 0);
    assert.equal(merged?.record.verdict, 'PROMOTE');
    assert.equal(merged?.streams?.length, 1);
  });
});

describe('the history file', () => {
  it('reads back what it writes, trimmed to the newest runs', () => {
    const runs = [1, 2, 3].map((n) => run(n, { a: 'flaky' }, 'PROMOTE'));
    const text = historyFileText(runs, 2);
    assert.deepEqual(parseHistoryFile(text, 'history.json'), runs.slice(1));
  });

  it('refuses a file that is not JSON, or not a history, naming the file: a usage error (exit 2)', () => {
    for (const [text, problem] of [
      ['{"runs": [', /cannot read the history file \/ci\/history\.json: it is not JSON/],
      [
        '{"format":"mes-e2e-history/1","runs":[{"name":"r"}]}',
        /\/ci\/history\.json: it is not a mes-e2e history at runs\.0\.startedAt/,
      ],
      ['[]', /\/ci\/history\.json: it is not a mes-e2e history/],
    ] as const) {
      assert.throws(
        () => parseHistoryFile(text, '/ci/history.json'),
        (error: unknown) =>
          error instanceof HistoryFileError &&
          error.kind === 'usage' &&
          error.file === '/ci/history.json' &&
          problem.test(error.message),
      );
    }
  });
});

describe('the flaky-rate rule', () => {
  const policy = { ...defaultPolicy, flakyRate: { max: 0.2, runs: 5 } };
  const earlier = [
    run(1, { a: 'pass' }),
    run(2, { a: 'flaky' }),
    run(3, { a: 'pass' }),
    run(4, { a: 'flaky' }),
  ];

  it('blocks a scenario flaky in more than max × runs of the last runs, with its figure', () => {
    const reasons = flakyRateReasons(earlier, run(5, { a: 'pass' }), policy);
    assert.equal(reasons.length, 1);
    assert.match(
      reasons[0] ?? '',
      /^scenario "a" \(features\/shop\.feature\) is flaky too often: 2\/5 runs flaky/,
    );
  });

  it('leaves one flake alone, looks only at the last runs, and is off without a policy', () => {
    assert.deepEqual(flakyRateReasons(earlier.slice(2), run(5, { a: 'pass' }), policy), []);
    const oldFlakes = [
      run(1, { a: 'flaky' }),
      run(2, { a: 'flaky' }),
      run(3, { a: 'pass' }),
      run(4, { a: 'pass' }),
    ];
    assert.equal(flakyRateReasons(oldFlakes, run(5, { a: 'pass' }), policy).length, 1);
    assert.deepEqual(
      flakyRateReasons(oldFlakes, run(5, { a: 'pass' }), { ...policy, flakyRate: { max: 0.2, runs: 3 } }),
      [],
    );
    assert.deepEqual(flakyRateReasons(earlier, run(5, { a: 'pass' }), defaultPolicy), []);
  });

  it('never blocks a quarantined scenario', () => {
    const current = { ...run(5, {}), scenarios: [scenario('a', 'pass', ['@quarantine'])] };
    assert.deepEqual(flakyRateReasons(earlier, current, policy), []);
  });
});

describe('backtest over compact records', () => {
  it('judges each run with the runs before it, and names the rules a record cannot show', () => {
    const runs = [
      ...[1, 2, 3, 4].map((n) => run(n, { a: n % 2 === 0 ? 'flaky' : 'pass' }, 'PROMOTE')),
      run(5, { a: 'fail' }),
    ];
    const decisions = backtest(
      runs.map((record) => ({ record })),
      {
        ...defaultPolicy,
        flakyRate: { max: 0.2, runs: 5 },
        budgets: [{ figure: 'x', statistic: 'p95', max: 1 }],
      },
    );
    assert.deepEqual(
      decisions.map(({ run, decided, wouldBe }) => `${run} ${decided ?? '-'} ${wouldBe}`),
      [
        'run-1 PROMOTE PROMOTE',
        'run-2 PROMOTE PROMOTE',
        'run-3 PROMOTE PROMOTE',
        'run-4 PROMOTE BLOCK',
        'run-5 - BLOCK',
      ],
    );
    assert.match(decisions[4]?.reasons[0] ?? '', /scenario "a" \(features\/shop\.feature\) FAILED/);
    assert.ok(decisions.every((decision) => decision.judgedFrom === 'record'));
    assert.ok(decisions[0]?.notApplied.includes('budgets'));
  });
});
