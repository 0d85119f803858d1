// Quarantine as code on real message streams: an entry holds until its last day as the run saw it
// (never the wall clock), then blocks with whose it was; the cap, required tags and the bare tag.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Envelope } from '@cucumber/messages';
import { compatibilityStream as cck } from '../../test/support/compatibility-kit.ts';
import { defaultPolicy, type Policy, type QuarantineEntry } from './policy.ts';
import { evaluateResults } from './results.ts';
import { evaluate } from './verdict.ts';

const FAILING = 'A failing scenario';

/** The stream as if the run had started on `day` (the kit's streams start at the epoch). */
function startedOn(envelopes: readonly Envelope[], day: string): Envelope[] {
  const seconds = Date.parse(`${day}T09:30:00Z`) / 1000;
  return envelopes.map((envelope) =>
    envelope.testRunStarted
      ? { testRunStarted: { ...envelope.testRunStarted, timestamp: { seconds, nanos: 0 } } }
      : envelope,
  );
}

function tagged(envelopes: readonly Envelope[], name: string, tag: string): Envelope[] {
  return envelopes.map((envelope) =>
    envelope.pickle?.name === name
      ? { pickle: { ...envelope.pickle, tags: [...envelope.pickle.tags, { name: tag, astNodeId: '' }] } }
      : envelope,
  );
}

const entry = (fields: { scenario: string } | { tag: string }, expires = '2026-12-15'): QuarantineEntry =>
  ({
    ...fields,
    owner: '@alice',
    reason: 'the failing step waits for a broker that CI shares',
    link: 'https://github.com/acme/mes/issues/412',
    expires,
    line: 3,
  }) as QuarantineEntry;

function policyWith(entries: QuarantineEntry[], changes: Partial<Policy['quarantine']> = {}): Policy {
  return {
    ...defaultPolicy,
    quarantine: { ...defaultPolicy.quarantine, file: 'quarantine.yml', entries, ...changes },
  };
}

/** global-hooks: one scenario passes, "A failing scenario" fails; the run started on 2026-11-30. */
const failingRun = (day = '2026-11-30') => startedOn(cck('global-hooks'), day);

describe('quarantine: an entry before its expiry', () => {
  it('does not block: the scenario failed, the verdict is PROMOTE, and it is reported as quarantined with its owner', () => {
    const verdict = evaluate(failingRun(), policyWith([entry({ scenario: FAILING })]));
    assert.equal(verdict.verdict, 'PROMOTE', verdict.reasons.join('\n'));
    assert.equal(verdict.counts.quarantined, 1);
    assert.equal(verdict.counts.failed, 0);
    const failing = verdict.scenarios.find((scenario) => scenario.name === FAILING);
    assert.equal(failing?.status, 'FAILED');
    assert.equal(failing?.quarantine?.kind, 'quarantined');
    assert.equal(failing?.quarantine?.kind === 'quarantined' && failing.quarantine.entry.owner, '@alice');
    const [result] = verdict.quarantine.entries;
    assert.equal(result?.state, 'active');
    assert.deepEqual(
      result?.scenarios.map(({ name, status, passed, exempt }) => ({ name, status, passed, exempt })),
      [{ name: FAILING, status: 'FAILED', passed: false, exempt: true }],
    );
    assert.equal(verdict.quarantine.judgedOn, '2026-11-30');
  });

  it('holds through its last day', () => {
    const verdict = evaluate(failingRun('2026-12-15'), policyWith([entry({ scenario: FAILING })]));
    assert.equal(verdict.verdict, 'PROMOTE', verdict.reasons.join('\n'));
  });

  it('is judged on the day the run started, not today: an old run judged again gets its old answer', () => {
    const verdict = evaluate(
      failingRun('2020-03-01'),
      policyWith([entry({ scenario: FAILING }, '2020-03-31')]),
    );
    assert.equal(verdict.verdict, 'PROMOTE', verdict.reasons.join('\n'));
  });

  it('matches by tag as well as by name', () => {
    const run = tagged(failingRun(), FAILING, '@payments-flaky');
    const verdict = evaluate(run, policyWith([entry({ tag: '@payments-flaky' })]));
    assert.equal(verdict.verdict, 'PROMOTE', verdict.reasons.join('\n'));
    assert.equal(verdict.counts.quarantined, 1);
  });
});

describe('quarantine: an entry after its expiry', () => {
  it('blocks like any scenario, and the reason says whose it was: owner, reason, link and the day it expired', () => {
    const verdict = evaluate(failingRun('2026-12-16'), policyWith([entry({ scenario: FAILING })]));
    assert.equal(verdict.verdict, 'BLOCK');
    assert.equal(verdict.counts.failed, 1);
    assert.equal(verdict.counts.quarantined, 0);
    assert.equal(verdict.reasons.length, 1);
    const [reason = ''] = verdict.reasons;
    assert.match(reason, /^scenario "A failing scenario" \(.*\) FAILED: .*no longer quarantined/);
    for (const part of [
      'owner @alice',
      'reason "the failing step waits for a broker that CI shares"',
      'https://github.com/acme/mes/issues/412',
      'expires 2026-12-15',
      'quarantine.yml:3',
      'started 2026-12-16',
    ])
      assert.ok(reason.includes(part), `"${part}" not in: ${reason}`);
    assert.equal(verdict.quarantine.entries[0]?.state, 'expired');
    assert.equal(verdict.quarantine.entries[0]?.scenarios[0]?.exempt, false);
  });

  it('does not block a scenario that passes: the expired entry is only reported', () => {
    const verdict = evaluate(
      failingRun('2026-12-16'),
      policyWith([entry({ scenario: 'A passing scenario' })]),
    );
    assert.equal(verdict.reasons.length, 1, 'only the failing scenario, which no entry matches, blocks');
    assert.doesNotMatch(verdict.reasons[0] ?? '', /quarantine/);
    const [result] = verdict.quarantine.entries;
    assert.equal(result?.state, 'expired');
    assert.equal(result?.scenarios[0]?.passed, true);
  });
});

describe('quarantine: the cap', () => {
  // multiple-features: "First scenario" is the name of three scenarios, one per feature.
  const run = startedOn(cck('multiple-features'), '2026-11-30');

  it('blocks when more scenarios are quarantined than quarantine.max allows, naming them', () => {
    const verdict = evaluate(run, policyWith([entry({ scenario: 'First scenario' })], { max: 2 }));
    assert.equal(verdict.verdict, 'BLOCK');
    assert.match(
      verdict.reasons.join('\n'),
      /^3 scenarios are quarantined, more than the policy allows \(quarantine\.max 2\): "First scenario" \(.*\), "First scenario" \(.*\), "First scenario" \(.*\)/m,
    );
  });

  it('promotes at the cap', () => {
    const verdict = evaluate(run, policyWith([entry({ scenario: 'First scenario' })], { max: 3 }));
    assert.equal(verdict.verdict, 'PROMOTE', verdict.reasons.join('\n'));
  });

  it('counts the whole run when the gate joins streams', () => {
    const verdict = evaluateResults(
      [{ source: 'messages.ndjson', envelopes: run }],
      policyWith([entry({ scenario: 'First scenario' })], { max: 2 }),
    );
    assert.equal(verdict.verdict, 'BLOCK');
    assert.equal(verdict.reasons.filter((reason) => /quarantine\.max 2/.test(reason)).length, 1);
    assert.equal(verdict.quarantine.entries[0]?.scenarios.length, 3);
  });
});

describe('quarantine: scenarios with a required tag', () => {
  const critical = () => tagged(failingRun(), FAILING, '@critical');

  it('are not exempt without quarantine.allowCritical, and the reason says so', () => {
    const verdict = evaluate(critical(), policyWith([entry({ scenario: FAILING })]));
    assert.equal(verdict.verdict, 'BLOCK');
    assert.match(
      verdict.reasons.join('\n'),
      /A failing scenario.*FAILED.*quarantine entry .*owner @alice.*it is @critical.*quarantine\.allowCritical: true/,
    );
    assert.equal(verdict.quarantine.entries[0]?.scenarios[0]?.exempt, false);
  });

  it('are exempt with quarantine.allowCritical: true', () => {
    const verdict = evaluate(critical(), policyWith([entry({ scenario: FAILING })], { allowCritical: true }));
    assert.equal(verdict.verdict, 'PROMOTE', verdict.reasons.join('\n'));
    assert.equal(verdict.counts.quarantined, 1);
  });
});

describe('quarantine: the bare @quarantine tag', () => {
  const bare = () => tagged(failingRun(), FAILING, '@quarantine');

  it('no longer exempts a scenario: the reason says to add an entry with owner and expiry', () => {
    const verdict = evaluate(bare(), policyWith([]));
    assert.equal(verdict.verdict, 'BLOCK');
    assert.match(
      verdict.reasons.join('\n'),
      /A failing scenario.*FAILED.*tagged @quarantine, which no longer quarantines by itself: add an entry for it to quarantine\.yml with owner, reason and expires/,
    );
  });

  it('quarantines through an entry for the tag', () => {
    const verdict = evaluate(bare(), policyWith([entry({ tag: '@quarantine' })]));
    assert.equal(verdict.verdict, 'PROMOTE', verdict.reasons.join('\n'));
  });
});
