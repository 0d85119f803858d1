// The gate owes every Cucumber compatibility-kit stream its expected verdict, and blocks the runs that only look green.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AttachmentContentEncoding, type Envelope } from '@cucumber/messages';
import {
  compatibilityStream as cck,
  compatibilitySamples,
  expectedVerdicts,
} from '../../test/support/compatibility-kit.ts';
import { notRunBody, notRunMediaType } from './not-run.ts';
import { defaultPolicy, type Policy } from './policy.ts';
import { evaluate } from './verdict.ts';

function pickleIdOf(envelopes: readonly Envelope[], name: string): string {
  const pickle = envelopes.find((envelope) => envelope.pickle?.name === name)?.pickle;
  assert.ok(pickle, `no scenario named "${name}"`);
  return pickle.id;
}

function tagged(envelopes: readonly Envelope[], name: string, tag: string): Envelope[] {
  const id = pickleIdOf(envelopes, name);
  return envelopes.map((envelope) =>
    envelope.pickle?.id === id
      ? { pickle: { ...envelope.pickle, tags: [...envelope.pickle.tags, { name: tag, astNodeId: '' }] } }
      : envelope,
  );
}

/** The stream as if the scenario had never been in the run. */
function without(envelopes: readonly Envelope[], name: string): Envelope[] {
  const pickleId = pickleIdOf(envelopes, name);
  const testCases = new Set(
    envelopes.flatMap((e) => (e.testCase?.pickleId === pickleId ? [e.testCase.id] : [])),
  );
  const attempts = new Set(
    envelopes.flatMap((e) =>
      e.testCaseStarted && testCases.has(e.testCaseStarted.testCaseId) ? [e.testCaseStarted.id] : [],
    ),
  );
  const startedId = (e: Envelope) =>
    e.testStepStarted?.testCaseStartedId ??
    e.testStepFinished?.testCaseStartedId ??
    e.testCaseFinished?.testCaseStartedId ??
    e.attachment?.testCaseStartedId;
  return envelopes.filter(
    (e) =>
      e.pickle?.id !== pickleId &&
      !(e.testCase && testCases.has(e.testCase.id)) &&
      !(e.testCaseStarted && attempts.has(e.testCaseStarted.id)) &&
      !attempts.has(startedId(e) ?? ''),
  );
}

function withSuccess(envelopes: readonly Envelope[], success: boolean): Envelope[] {
  return envelopes.map((envelope) =>
    envelope.testRunFinished ? { testRunFinished: { ...envelope.testRunFinished, success } } : envelope,
  );
}

function dropping(envelopes: readonly Envelope[], ...kinds: Array<keyof Envelope>): Envelope[] {
  return envelopes.filter((envelope) => !kinds.some((kind) => envelope[kind] !== undefined));
}

/** retry.ndjson without its scenario that fails for good: two flaky scenarios and one plain pass. */
function flakyRun(): Envelope[] {
  // cucumber reports a run whose every failure was retried away as a success.
  return withSuccess(
    without(cck('retry'), "Test cases won't retry after failing more than the --retry limit"),
    true,
  );
}

const RETRIED_ONCE = 'Test cases that fail are retried if within the --retry limit';

describe('evaluate on the Cucumber compatibility kit', () => {
  it('has an expected verdict for every stream the installed kit ships', () => {
    assert.deepEqual(
      expectedVerdicts()
        .map(([sample]) => sample)
        .sort(),
      compatibilitySamples(),
    );
  });

  for (const [sample, expected] of expectedVerdicts()) {
    it(`${sample}: ${expected}`, () => {
      const verdict = evaluate(cck(sample));
      assert.equal(verdict.verdict, expected, verdict.reasons.join('\n'));
      if (expected === 'BLOCK') assert.ok(verdict.reasons.length > 0, 'a BLOCK without a reason');
      else assert.deepEqual(verdict.reasons, []);
    });
  }

  it('names the scenario, its place, its status and the error in a failure reason', () => {
    const { reasons } = evaluate(cck('retry'));
    assert.deepEqual(reasons, [
      `scenario "Test cases won't retry after failing more than the --retry limit" (samples/retry/retry.feature:17) ` +
        'FAILED after 3 attempts: Exception in step (at step "Given a step that always fails")',
    ]);
  });

  it('blocks on a failing BeforeAll hook, naming it, and says no scenario ran', () => {
    const { reasons } = evaluate(cck('global-hooks-beforeall-error'));
    assert.match(
      reasons[0] ?? '',
      /^BeforeAll hook \(.*global-hooks-beforeall-error\.ts:7\) failed: BeforeAll hook went wrong$/,
    );
    assert.match(reasons[1] ?? '', /no scenario ran/);
  });
});

describe('evaluate: flaky scenarios', () => {
  it('blocks a @critical scenario that passed only on a retry, though cucumber reports success', () => {
    const verdict = evaluate(tagged(flakyRun(), RETRIED_ONCE, '@critical'));
    assert.equal(verdict.verdict, 'BLOCK');
    assert.equal(verdict.reasons.length, 1);
    assert.match(
      verdict.reasons[0] ?? '',
      new RegExp(`^scenario "${RETRIED_ONCE}" \\(samples/retry/retry.feature:\\d+\\) is flaky`),
    );
    assert.match(verdict.reasons[0] ?? '', /@critical/);
    assert.match(verdict.reasons[0] ?? '', /Exception in step/);
    assert.equal(verdict.counts.flaky, 2);
  });

  it('promotes untagged flaky scenarios within maxFlaky, and counts them', () => {
    const verdict = evaluate(flakyRun(), { ...defaultPolicy, maxFlaky: 2 });
    assert.equal(verdict.verdict, 'PROMOTE', verdict.reasons.join('\n'));
    assert.deepEqual(
      { passed: verdict.counts.passed, flaky: verdict.counts.flaky, scenarios: verdict.counts.scenarios },
      { passed: 3, flaky: 2, scenarios: 3 },
    );
  });

  it('promotes untagged flaky scenarios under the default policy, which caps only required tags', () => {
    assert.equal(evaluate(flakyRun()).verdict, 'PROMOTE');
  });

  it('blocks when more scenarios are flaky than maxFlaky allows, listing them', () => {
    const verdict = evaluate(flakyRun(), { ...defaultPolicy, maxFlaky: 1 });
    assert.equal(verdict.verdict, 'BLOCK');
    assert.match(
      verdict.reasons.join('\n'),
      /2 scenarios passed only on a retry \(flaky\).*maxFlaky 1.*retried if within/,
    );
  });
});

describe('evaluate: quarantine', () => {
  // The kit's runs start at the epoch: an entry that holds until 1970-01-01 holds for them.
  const quarantining = (scenario: string): Policy => ({
    ...defaultPolicy,
    quarantine: {
      ...defaultPolicy.quarantine,
      entries: [{ scenario, owner: '@alice', reason: 'flaps', expires: '1970-01-01', line: 1 }],
    },
  });

  it('promotes a run whose only failure is quarantined, and counts it as quarantined', () => {
    const verdict = evaluate(cck('global-hooks'), quarantining('A failing scenario'));
    assert.equal(verdict.verdict, 'PROMOTE', verdict.reasons.join('\n'));
    assert.equal(verdict.counts.quarantined, 1);
    assert.equal(verdict.counts.failed, 0);
    assert.equal(verdict.counts.passed, 1);
    const quarantined = verdict.scenarios.find((scenario) => scenario.name === 'A failing scenario');
    assert.equal(quarantined?.status, 'FAILED');
  });

  it('blocks when the only scenarios that ran are quarantined: they prove nothing', () => {
    const verdict = evaluate(cck('minimal'), quarantining('cukes'));
    assert.equal(verdict.verdict, 'BLOCK');
    assert.match(verdict.reasons.join('\n'), /quarantined/);
  });
});

describe('evaluate: runs that executed nothing or did not finish', () => {
  it('blocks a tag filter that matched nothing (pickles, no test cases), saying no scenario ran', () => {
    const filteredOut = dropping(
      cck('minimal'),
      'testCase',
      'testCaseStarted',
      'testStepStarted',
      'testStepFinished',
      'testCaseFinished',
    );
    const verdict = evaluate(filteredOut);
    assert.equal(verdict.verdict, 'BLOCK');
    assert.equal(verdict.counts.scenarios, 0);
    assert.match(
      verdict.reasons.join('\n'),
      /no scenario ran: 1 scenario was found but none was selected.*tag expression/,
    );
  });

  it('blocks a run that found no scenarios at all', () => {
    const verdict = evaluate(
      dropping(
        cck('minimal'),
        'pickle',
        'testCase',
        'testCaseStarted',
        'testStepStarted',
        'testStepFinished',
        'testCaseFinished',
      ),
    );
    assert.equal(verdict.verdict, 'BLOCK');
    assert.match(verdict.reasons.join('\n'), /found no scenarios/);
  });

  it('blocks a stream without testRunFinished as interrupted or truncated', () => {
    const verdict = evaluate(dropping(cck('minimal'), 'testRunFinished'));
    assert.equal(verdict.verdict, 'BLOCK');
    assert.match(
      verdict.reasons.join('\n'),
      /did not finish \(no testRunFinished message\).*interrupted.*truncated/,
    );
  });

  it('blocks a scenario cut off mid-run (SIGINT) and counts it as unfinished', () => {
    const verdict = evaluate(dropping(cck('minimal'), 'testRunFinished', 'testCaseFinished'));
    assert.equal(verdict.verdict, 'BLOCK');
    assert.equal(verdict.counts.unfinished, 1);
    assert.equal(verdict.counts.passed, 0);
    assert.match(
      verdict.reasons.join('\n'),
      /scenario "cukes" \(samples\/minimal\/minimal.feature:\d+\) did not finish/,
    );
  });

  it('blocks scenarios that were scheduled but never started, in one reason', () => {
    const verdict = evaluate(
      dropping(
        cck('multiple-features'),
        'testCaseStarted',
        'testStepStarted',
        'testStepFinished',
        'testCaseFinished',
      ),
    );
    assert.equal(verdict.verdict, 'BLOCK');
    assert.equal(verdict.counts.unknown, 9);
    assert.match(verdict.reasons.join('\n'), /9 scheduled scenarios never started/);
  });

  it('blocks a run that never started', () => {
    const verdict = evaluate(dropping(cck('minimal'), 'testRunStarted'));
    assert.equal(verdict.verdict, 'BLOCK');
    assert.match(verdict.reasons.join('\n'), /never started \(no testRunStarted message\)/);
  });

  it('blocks when cucumber says the run failed and nothing in the messages says why', () => {
    const verdict = evaluate(withSuccess(cck('minimal'), false));
    assert.equal(verdict.verdict, 'BLOCK');
    assert.match(verdict.reasons.join('\n'), /success is false/);
  });

  it('blocks a run below minScenarios', () => {
    const verdict = evaluate(cck('minimal'), { ...defaultPolicy, minScenarios: 2 });
    assert.equal(verdict.verdict, 'BLOCK');
    assert.match(verdict.reasons.join('\n'), /only 1 scenario ran; the policy requires at least 2/);
  });
});

describe('evaluate: a run that stopped early', () => {
  const reason = 'the run stopped after 5 scenarios failed (max failures 5)';
  /** The stream with a not-run note on the given attempt of the scenario, as the early-stop hook attaches it. */
  function notRunAt(envelopes: readonly Envelope[], name: string, attempt: number): Envelope[] {
    const pickleId = pickleIdOf(envelopes, name);
    const testCaseId = envelopes.find((e) => e.testCase?.pickleId === pickleId)?.testCase?.id;
    const started = envelopes.find(
      (e) => e.testCaseStarted?.testCaseId === testCaseId && e.testCaseStarted?.attempt === attempt,
    )?.testCaseStarted;
    assert.ok(started, `no attempt ${attempt} of "${name}"`);
    const note: Envelope = {
      attachment: {
        testCaseStartedId: started.id,
        body: notRunBody({ reason }),
        mediaType: notRunMediaType,
        contentEncoding: AttachmentContentEncoding.IDENTITY,
      },
    };
    const at = envelopes.findIndex((e) => e.testCaseStarted === started);
    return [...envelopes.slice(0, at + 1), note, ...envelopes.slice(at + 1)];
  }

  it('gives one reason for the scenarios it did not run, and counts them as skipped', () => {
    const name = "Test cases that pass aren't retried";
    const verdict = evaluate(notRunAt(cck('retry'), name, 0));
    assert.equal(verdict.verdict, 'BLOCK');
    assert.deepEqual(
      verdict.reasons.filter((each) => each.includes('did not run') || each.includes(name)),
      [`1 scenario did not run: ${reason}: "${name}" (samples/retry/retry.feature:8)`],
    );
    assert.equal(verdict.counts.skipped, 1);
    assert.equal(verdict.scenarios.find((each) => each.name === name)?.notRun, reason);
  });

  it('judges a scenario whose retry it did not make by the attempt that failed, not as unfinished', () => {
    const name = 'Test cases that fail are retried if within the --retry limit';
    const verdict = evaluate(notRunAt(cck('retry'), name, 1));
    const scenario = verdict.scenarios.find((each) => each.name === name);
    assert.equal(scenario?.status, 'FAILED');
    assert.equal(scenario?.unfinished, false);
    assert.equal(scenario?.flaky, false);
    assert.ok(verdict.reasons.some((each) => each.includes(`"${name}"`) && each.includes('FAILED')));
    assert.ok(!verdict.reasons.some((each) => each.includes('did not run')));
  });
});
