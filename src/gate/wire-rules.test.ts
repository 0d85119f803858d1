// The gate blocks on what the checks on the wire recorded, unless a scenario meant it or the policy
// only reports it; each kind of violation is counted once, with the scenarios that ran.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AttachmentContentEncoding, type Envelope } from '@cucumber/messages';
import { compatibilityStream as cck } from '../../test/support/compatibility-kit.ts';
import {
  expectedMediaType,
  type Violation,
  violationsEnvelope,
  violationsMediaType,
} from '../contracts/violations.ts';
import { defaultPolicy, type Policy } from './policy.ts';
import { evaluateResults } from './results.ts';

// The kit's "minimal" stream: one scenario, "cukes", that passes.
const passing = () => cck('minimal');
const scenarioName = 'cukes';

function startedIdOf(envelopes: readonly Envelope[]): string {
  const id = envelopes.find((envelope) => envelope.testCaseStarted)?.testCaseStarted?.id;
  assert.ok(id);
  return id;
}

/** The run's own record, after the scenarios, as `mes-e2e run` appends it. */
function withRunRecord(envelopes: Envelope[], violations: Violation[]): Envelope[] {
  const runStarted = envelopes.find((envelope) => envelope.testRunStarted)?.testRunStarted?.id;
  return [...envelopes, violationsEnvelope(violations, runStarted)];
}

/** An attachment of the scenario's own, as a step or hook attaches it. */
function withScenarioAttachment(envelopes: Envelope[], mediaType: string, body: unknown): Envelope[] {
  const attachment: Envelope = {
    attachment: {
      body: JSON.stringify(body),
      contentEncoding: AttachmentContentEncoding.IDENTITY,
      mediaType,
      testCaseStartedId: startedIdOf(envelopes),
    },
  };
  const finished = envelopes.findIndex((envelope) => envelope.testCaseFinished);
  return [...envelopes.slice(0, finished), attachment, ...envelopes.slice(finished)];
}

function withTag(envelopes: Envelope[], tag: string): Envelope[] {
  return envelopes.map((envelope) =>
    envelope.pickle
      ? { pickle: { ...envelope.pickle, tags: [...envelope.pickle.tags, { name: tag, astNodeId: '' }] } }
      : envelope,
  );
}

const judge = (envelopes: Envelope[], policy: Policy = defaultPolicy) =>
  evaluateResults([{ source: 'run', envelopes }], policy);

const renamed: Violation = {
  rule: 'message-contract',
  where: 'exchange orders, routing key order.created.b2c (channel orderCreated)',
  problem: "payload: must have required property 'customerId'",
  evidence: '{"orderId":"1","client":"c-1"}',
  scenarios: [scenarioName],
};

const duplicate: Violation = {
  rule: 'duplicate-publish',
  where: 'exchange orders, routing key order.created.b2c (channel orderCreated)',
  problem: 'message id m-1 published 2 times',
  messageId: 'm-1',
  scenarios: [scenarioName],
};

describe('the gate over the checks on the wire', () => {
  it('promotes a run whose checks found nothing', () => {
    const verdict = judge(withRunRecord(passing(), []));
    assert.equal(verdict.verdict, 'PROMOTE', verdict.reasons.join('\n'));
    assert.deepEqual(verdict.violations, []);
  });

  it('blocks a run whose scenarios passed when a message broke its contract, naming the rule, where and the scenario', () => {
    const verdict = judge(withRunRecord(passing(), [renamed, renamed]));
    assert.equal(verdict.verdict, 'BLOCK');
    assert.equal(verdict.counts.passed, 1);
    assert.equal(verdict.reasons.length, 1);
    assert.match(
      verdict.reasons[0] ?? '',
      /^message-contract \(.*AsyncAPI.*\): exchange orders.*customerId.*\(2 times\).*"cukes"/,
    );
    assert.equal(verdict.violations[0]?.count, 2);
    assert.equal(verdict.violations[0]?.evidence, renamed.evidence);
  });

  it('only reports when the policy says contracts: report', () => {
    const verdict = judge(withRunRecord(passing(), [renamed]), { ...defaultPolicy, contracts: 'report' });
    assert.equal(verdict.verdict, 'PROMOTE');
    assert.equal(verdict.violations[0]?.blocks, false);
  });

  it('ignores a rule the policy switched off, and still blocks on the others', () => {
    const policy = { ...defaultPolicy, rules: { ...defaultPolicy.rules, 'duplicate-publish': false } };
    const verdict = judge(withRunRecord(passing(), [duplicate, renamed]), policy);
    assert.deepEqual(
      verdict.violations.map((violation) => violation.rule),
      ['message-contract'],
    );
  });

  it('names the scenario an HTTP answer was attached to', () => {
    const answer = {
      rule: 'answer-contract',
      where: 'mes GET /api/orders/{id}',
      problem: 'status 203 is not declared',
    };
    const verdict = judge(withScenarioAttachment(passing(), violationsMediaType, { violations: [answer] }));
    assert.equal(verdict.verdict, 'BLOCK');
    assert.deepEqual(verdict.violations[0]?.scenarios, [scenarioName]);
    assert.match(verdict.reasons[0] ?? '', /^answer-contract .*status 203/);
  });

  it('does not count a duplicate the scenario injected (by message id), but counts another', () => {
    const injected = withScenarioAttachment(passing(), expectedMediaType, {
      rule: 'duplicate-publish',
      messageId: 'm-1',
    });
    assert.equal(judge(withRunRecord(injected, [duplicate])).verdict, 'PROMOTE');
    const another = { ...duplicate, messageId: 'm-2', problem: 'message id m-2 published 2 times' };
    assert.equal(judge(withRunRecord(injected, [duplicate, another])).verdict, 'BLOCK');
  });

  it('does not count dead letters while a scenario tagged @expects-dead-letters ran', () => {
    const dead: Violation = {
      rule: 'unexpected-dead-letter',
      where: 'exchange mes.orders.dead',
      problem: 'a dead letter: handler failed',
      scenarios: [scenarioName],
    };
    assert.equal(judge(withRunRecord(passing(), [dead])).verdict, 'BLOCK');
    assert.equal(
      judge(withRunRecord(withTag(passing(), '@expects-dead-letters'), [dead])).verdict,
      'PROMOTE',
    );
    // The tag excuses the rule it names only.
    assert.equal(
      judge(withRunRecord(withTag(passing(), '@expects-dead-letters'), [renamed])).verdict,
      'BLOCK',
    );
  });

  it('blocks on a record it cannot read rather than ignore it', () => {
    const broken = withScenarioAttachment(passing(), violationsMediaType, { nothing: true });
    const verdict = judge(broken);
    assert.equal(verdict.verdict, 'BLOCK');
    assert.match(verdict.reasons[0] ?? '', /unreadable/);
  });
});
