// GitHub annotations under quarantine: a quarantined failure is a notice with its owner, an expired
// entry's failure is an error that says whose it was.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Envelope } from '@cucumber/messages';
import { compatibilityStream } from '../../test/support/compatibility-kit.ts';
import { defaultPolicy, type Policy } from '../gate/policy.ts';
import type { JudgedScenario } from '../gate/quarantine.ts';
import { evaluate, type Verdict } from '../gate/verdict.ts';
import { annotations, annotationsPerLevel, leftOutNote } from './github.ts';

/** global-hooks ("A failing scenario" fails), as if the run had started on 2026-11-30. */
function run(): Envelope[] {
  const seconds = Date.parse('2026-11-30T09:30:00Z') / 1000;
  return compatibilityStream('global-hooks').map((envelope) =>
    envelope.testRunStarted
      ? { testRunStarted: { ...envelope.testRunStarted, timestamp: { seconds, nanos: 0 } } }
      : envelope,
  );
}

const quarantining = (expires: string): Policy => ({
  ...defaultPolicy,
  quarantine: {
    ...defaultPolicy.quarantine,
    file: 'quarantine.yml',
    entries: [{ scenario: 'A failing scenario', owner: '@alice', reason: 'flaps', expires, line: 4 }],
  },
});

describe('annotations under quarantine', () => {
  it('gives a quarantined failure a notice with its owner and last day, not an error', () => {
    assert.deepEqual(annotations(evaluate(run(), quarantining('2026-12-15'))).lines, [
      '::notice file=samples/global-hooks/global-hooks.feature,line=9,title=A failing scenario::' +
        'quarantined (owner @alice, until 2026-12-15): FAILED: Exception in step',
    ]);
  });

  it('gives the failure of an expired entry an error that says whose it was and when it expired', () => {
    const [error = ''] = annotations(evaluate(run(), quarantining('2026-11-29'))).lines;
    assert.match(
      error,
      /^::error .*title=A failing scenario::FAILED: Exception in step \(it is no longer quarantined/,
    );
    assert.match(error, /quarantine.yml:4; owner @alice, reason "flaps", expires 2026-11-29\) expired/);
  });
});

describe('annotations within what GitHub shows', () => {
  const failing = (index: number, tags: string[] = []): JudgedScenario => ({
    pickleId: `p${index}`,
    name: `Scenario ${index}`,
    uri: 'features/many.feature',
    line: index,
    tags,
    status: 'FAILED',
    attempts: 1,
    flaky: false,
    unfinished: false,
    message: 'it broke',
  });
  const verdict = (scenarios: JudgedScenario[]): Verdict => ({
    ...evaluate(run(), defaultPolicy),
    scenarios,
  });

  it(`keeps ${annotationsPerLevel} errors, the required-tag scenarios first, and counts the rest for the summary`, () => {
    const scenarios = [
      ...Array.from({ length: 12 }, (_, i) => failing(i + 1)),
      failing(20, ['@critical']),
      failing(21, ['@critical']),
    ];
    const annotated = annotations(verdict(scenarios), ['@critical']);
    assert.equal(annotated.lines.length, annotationsPerLevel);
    assert.match(annotated.lines[0] ?? '', /title=Scenario 20::/);
    assert.match(annotated.lines[1] ?? '', /title=Scenario 21::/);
    assert.deepEqual(annotated.leftOut, { error: 4, warning: 0, notice: 0 });
    assert.match(leftOutNote(annotated), /4 more blocking scenarios are not annotated/);
    assert.equal(leftOutNote(annotations(verdict(scenarios.slice(0, 3)))), '');
  });
});
