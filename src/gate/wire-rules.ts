// The gate's judgement of what the run saw on the wire: the violations the checks recorded in the
// messages, less those a scenario said it meant (an injected duplicate, a poison message, an order
// left unfinished on purpose) and those of rules the policy switched off; each kind counted once.
import type { Envelope } from '@cucumber/messages';
import {
  type ContractRule,
  type ExpectableRule,
  type Expected,
  expectedMediaType,
  expectingTags,
  findViolations,
  ruleDescriptions,
  type Violation,
} from '../contracts/violations.ts';
import type { Policy } from './policy.ts';

/** One kind of violation (same rule, place and problem), however often it was seen. */
export interface ViolationReport {
  rule: ContractRule;
  where: string;
  problem: string;
  count: number;
  /** The first message or answer that broke it. */
  evidence?: string;
  scenarios: string[];
  /** False when the policy only reports (`contracts: report`). */
  blocks: boolean;
}

interface ScenarioIndex {
  /** testCaseStarted id -> scenario name */
  nameOf(testCaseStartedId: string): string | undefined;
  tagsOf(name: string): ReadonlySet<string>;
}

function indexScenarios(envelopes: readonly Envelope[]): ScenarioIndex {
  const pickles = new Map<string, { name: string; tags: string[] }>();
  const pickleOfTestCase = new Map<string, string>();
  const testCaseOfStart = new Map<string, string>();
  const tagsByName = new Map<string, Set<string>>();
  for (const { pickle, testCase, testCaseStarted } of envelopes) {
    if (pickle) {
      const tags = pickle.tags.map((tag) => tag.name);
      pickles.set(pickle.id, { name: pickle.name, tags });
      const known = tagsByName.get(pickle.name) ?? new Set<string>();
      for (const tag of tags) known.add(tag);
      tagsByName.set(pickle.name, known);
    }
    if (testCase) pickleOfTestCase.set(testCase.id, testCase.pickleId);
    if (testCaseStarted) testCaseOfStart.set(testCaseStarted.id, testCaseStarted.testCaseId);
  }
  return {
    nameOf: (id) => pickles.get(pickleOfTestCase.get(testCaseOfStart.get(id) ?? '') ?? '')?.name,
    tagsOf: (name) => tagsByName.get(name) ?? new Set(),
  };
}

/** What the scenarios recorded that they meant to happen. */
function expectationsOf(envelopes: readonly Envelope[]): Expected[] {
  return envelopes.flatMap(({ attachment }) => {
    if (attachment?.mediaType !== expectedMediaType) return [];
    try {
      const expected = JSON.parse(attachment.body) as Expected;
      return typeof expected.rule === 'string' ? [expected] : [];
    } catch {
      // An expectation that cannot be read excuses nothing.
      return [];
    }
  });
}

function isExpected(violation: Violation, expected: readonly Expected[], index: ScenarioIndex): boolean {
  const rule = violation.rule as ExpectableRule;
  const tag = expectingTags[rule];
  if (tag && (violation.scenarios ?? []).some((name) => index.tagsOf(name).has(tag))) return true;
  return expected.some(
    (entry) =>
      entry.rule === rule &&
      ((entry.messageId !== undefined && entry.messageId === violation.messageId) ||
        (entry.businessId !== undefined && entry.businessId === violation.businessId)),
  );
}

function grouped(violations: readonly Violation[], blocks: boolean): ViolationReport[] {
  const groups = new Map<string, ViolationReport>();
  for (const violation of violations) {
    const key = `${violation.rule}\u0000${violation.where}\u0000${violation.problem}`;
    const group = groups.get(key) ?? {
      rule: violation.rule,
      where: violation.where,
      problem: violation.problem,
      count: 0,
      ...(violation.evidence ? { evidence: violation.evidence } : {}),
      scenarios: [],
      blocks,
    };
    group.count += 1;
    for (const name of violation.scenarios ?? [])
      if (!group.scenarios.includes(name)) group.scenarios.push(name);
    groups.set(key, group);
  }
  return [...groups.values()];
}

const MAX_LISTED = 10;

function reasonOf(report: ViolationReport): string {
  const times = report.count > 1 ? ` (${report.count} times)` : '';
  const during =
    report.scenarios.length > 0
      ? `; seen while "${report.scenarios.slice(0, 3).join('", "')}"${report.scenarios.length > 3 ? ' and others' : ''} ran`
      : '';
  return `${report.rule} (${ruleDescriptions[report.rule]}): ${report.where}: ${report.problem}${times}${during}`;
}

/** The violations the run recorded, as the policy judges them, and the reasons they give to block. */
export function judgeWire(
  envelopes: readonly Envelope[],
  policy: Policy,
): { reasons: string[]; violations: ViolationReport[] } {
  const index = indexScenarios(envelopes);
  const expected = expectationsOf(envelopes);
  const counted = findViolations(envelopes, index.nameOf).filter(
    (violation) => policy.rules[violation.rule] && !isExpected(violation, expected, index),
  );
  const blocks = policy.contracts === 'block';
  const violations = grouped(counted, blocks);
  if (!blocks) return { reasons: [], violations };
  const reasons = violations.slice(0, MAX_LISTED).map(reasonOf);
  if (violations.length > MAX_LISTED)
    reasons.push(`and ${violations.length - MAX_LISTED} more kinds of violation (gate.json lists them all)`);
  return { reasons, violations };
}
