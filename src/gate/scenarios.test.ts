// Outcomes read from real cucumber streams: attempts, flakiness, places and the facts of the run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compatibilityStream as cck } from '../../test/support/compatibility-kit.ts';
import { summarizeRun } from './scenarios.ts';

describe('summarizeRun', () => {
  it('counts every attempt of a retried scenario and judges the final one', () => {
    const { scenarios } = summarizeRun(cck('retry'));
    assert.deepEqual(
      scenarios.map(({ attempts, status, flaky, unfinished }) => ({ attempts, status, flaky, unfinished })),
      [
        { attempts: 1, status: 'PASSED', flaky: false, unfinished: false },
        { attempts: 2, status: 'PASSED', flaky: true, unfinished: false },
        { attempts: 3, status: 'PASSED', flaky: true, unfinished: false },
        { attempts: 3, status: 'FAILED', flaky: false, unfinished: false },
      ],
    );
  });

  it('explains a flaky scenario by its failed attempt', () => {
    const flaky = summarizeRun(cck('retry')).scenarios[1];
    assert.equal(flaky?.message, 'Exception in step');
    assert.match(flaky?.step ?? '', /^step "Given a step that passes the second time"$/);
  });

  it('places each example row on its own line, with the tags it inherits', () => {
    const { scenarios } = summarizeRun(cck('examples-tables'));
    const lines = scenarios.map((scenario) => scenario.line);
    assert.equal(new Set(lines).size, lines.length);
    assert.ok(
      scenarios.every((scenario) => scenario.uri === 'samples/examples-tables/examples-tables.feature'),
    );
    const failed = scenarios.filter((scenario) => scenario.status === 'FAILED');
    assert.deepEqual(
      failed.map((scenario) => [scenario.line, scenario.message]),
      [
        [25, 'Expected values to be strictly equal:\n\n-8 !== 0'],
        [26, 'Expected values to be strictly equal:\n\n-1 !== 0'],
      ],
    );
  });

  it('marks a scenario whose final attempt never finished', () => {
    const cut = cck('minimal').filter((envelope) => !envelope.testCaseFinished && !envelope.testRunFinished);
    const { scenarios, run } = summarizeRun(cut);
    assert.equal(scenarios[0]?.unfinished, true);
    assert.equal(run.testRunFinished, false);
  });

  it('reports the run-level facts: hooks, exceptions and undefined parameter types', () => {
    assert.deepEqual(summarizeRun(cck('global-hooks-beforeall-error')).run.failedHooks, [
      'BeforeAll hook (samples/global-hooks-beforeall-error/global-hooks-beforeall-error.ts:7) failed: BeforeAll hook went wrong',
    ]);
    const exception = summarizeRun(cck('test-run-exception')).run;
    assert.equal(exception.exception, 'Whoops!');
    assert.equal(exception.success, false);
    assert.equal(exception.pickles, 1);
    assert.deepEqual(summarizeRun(cck('unknown-parameter-type')).run.undefinedParameterTypes, [
      '{airport} (used in "{airport} is closed because of a strike")',
    ]);
  });

  it('gives no outcome to a pickle that was never scheduled', () => {
    const filteredOut = cck('minimal').filter((envelope) => !envelope.testCase);
    const { scenarios, run } = summarizeRun(filteredOut);
    assert.deepEqual(scenarios, []);
    assert.equal(run.pickles, 1);
  });
});
