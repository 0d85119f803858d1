// What the checks on the wire record when a message or an answer breaks the pipeline's contracts, or
// the run breaks one of the rules over the whole run. Carried in the run's cucumber messages as
// attachments (valid messages that other tools ignore), so the gate judges them from the messages
// alone, over every shard.
import { AttachmentContentEncoding, type Envelope } from '@cucumber/messages';

/**
 * message-contract and answer-contract: one message or HTTP answer against the AsyncAPI or OpenAPI
 * document. The others are rules over the whole run.
 */
export const contractRules = [
  'message-contract',
  'answer-contract',
  'unexpected-dead-letter',
  'duplicate-publish',
  'orphan-order',
  'queues-drained',
] as const;

export type ContractRule = (typeof contractRules)[number];

/** What each rule guards, as the gate's reasons say it. */
export const ruleDescriptions: Readonly<Record<ContractRule, string>> = {
  'message-contract': 'every message on the bus matches the AsyncAPI document',
  'answer-contract': 'every HTTP answer matches the OpenAPI document',
  'unexpected-dead-letter': 'no dead letter a scenario did not expect',
  'duplicate-publish': 'no message id published twice on one channel unless a scenario injected it',
  'orphan-order': "every order the bus saw start reached the journey's final state",
  'queues-drained': 'no work queue holds messages at the end of the run',
};

export interface Violation {
  rule: ContractRule;
  /** Where it was seen: `exchange orders, routing key order.created.b2c` or `crm POST /api/v2/orders`. */
  where: string;
  /** What is wrong, in one line. */
  problem: string;
  /** The message or answer that broke it, credentials masked, cut short. */
  evidence?: string;
  /**
   * The scenarios that were running when it was seen (by name), when the run recorded it;
   * an attachment of a scenario's own names that scenario.
   */
  scenarios?: string[];
  /** The message's id (AMQP message-id), for a scenario's expectation to name it. */
  messageId?: string;
  /** The business id the message carried (the journey's id), when it carried one. */
  businessId?: string;
}

export const violationsMediaType = 'application/vnd.mes-e2e.violations+json';

/** The attachment body: `{ "violations": [...] }`. */
export interface ViolationsBody {
  violations: Violation[];
}

/** A run-level attachment (after the scenarios, as the compromised record is) carrying violations. */
export function violationsEnvelope(
  violations: readonly Violation[],
  testRunStartedId: string | undefined,
): Envelope {
  return {
    attachment: {
      body: JSON.stringify({ violations: [...violations] } satisfies ViolationsBody),
      contentEncoding: AttachmentContentEncoding.IDENTITY,
      mediaType: violationsMediaType,
      fileName: 'mes-e2e-violations.json',
      ...(testRunStartedId ? { testRunStartedId } : {}),
    },
  };
}

const isRule = (value: unknown): value is ContractRule => contractRules.includes(value as ContractRule);

function violationOf(value: unknown): Violation | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const { rule, where, problem, evidence, scenarios, messageId, businessId } = value as Record<
    string,
    unknown
  >;
  if (!isRule(rule) || typeof where !== 'string' || typeof problem !== 'string') return undefined;
  return {
    rule,
    where,
    problem,
    ...(typeof evidence === 'string' ? { evidence } : {}),
    ...(Array.isArray(scenarios) ? { scenarios: scenarios.map(String) } : {}),
    ...(typeof messageId === 'string' ? { messageId } : {}),
    ...(typeof businessId === 'string' ? { businessId } : {}),
  };
}

/**
 * Every violation the messages carry. One attached to a scenario (an HTTP answer its steps got) is
 * named after that scenario; `scenarioOf` gives the name of a test case's scenario.
 */
export function findViolations(
  envelopes: readonly Envelope[],
  scenarioOf: (testCaseStartedId: string) => string | undefined,
): Violation[] {
  return envelopes.flatMap((envelope) => {
    const attachment = envelope.attachment;
    if (attachment?.mediaType !== violationsMediaType) return [];
    let body: unknown;
    try {
      body = JSON.parse(attachment.body);
    } catch {
      return [unreadable('the record is not JSON')];
    }
    const listed = (body as Partial<ViolationsBody> | null)?.violations;
    if (!Array.isArray(listed)) return [unreadable('the record has no list of violations')];
    const scenario = attachment.testCaseStartedId ? scenarioOf(attachment.testCaseStartedId) : undefined;
    return listed.map((entry) => {
      const violation = violationOf(entry) ?? unreadable(`an entry cannot be read: ${JSON.stringify(entry)}`);
      return scenario && !violation.scenarios ? { ...violation, scenarios: [scenario] } : violation;
    });
  });
}

// A record the gate cannot read is never a reason to promote: it blocks as a broken message check.
function unreadable(why: string): Violation {
  return {
    rule: 'message-contract',
    where: "the run's messages",
    problem: `a violations record is unreadable: ${why}`,
  };
}

/**
 * What a scenario means to happen, so that the rule it would break does not count it: a step that
 * injects a duplicate or a poison message records the message it sent; a tag declares it for the
 * whole scenario (an order it leaves unfinished on purpose).
 */
export const expectedMediaType = 'application/vnd.mes-e2e.expected+json';

/** A message the scenario sent itself may break its contract (by message id only, never by tag). */
export type ExpectableRule =
  | 'message-contract'
  | 'unexpected-dead-letter'
  | 'duplicate-publish'
  | 'orphan-order';

/** The attachment body: this rule's violation about this message (or business id) was meant. */
export interface Expected {
  rule: ExpectableRule;
  messageId?: string;
  businessId?: string;
}

/** A scenario carrying the tag expects every violation of the rule that is seen while it runs. */
export const expectingTags: Readonly<Partial<Record<ExpectableRule, string>>> = {
  'unexpected-dead-letter': '@expects-dead-letters',
  'duplicate-publish': '@expects-duplicates',
  'orphan-order': '@expects-unfinished-orders',
};
