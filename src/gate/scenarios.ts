// Turns a message stream into one outcome per scenario, and the facts about the run as a whole.
import type {
  Envelope,
  Hook,
  Pickle,
  TestCaseStarted,
  TestRunHookFinished,
  TestStep,
  TestStepResult,
  TestStepResultStatus,
} from '@cucumber/messages';
import { Query } from '@cucumber/query';
import { attemptsThatRan, notRunAttempts } from './not-run.ts';

export type ScenarioStatus = `${TestStepResultStatus}`;

export type ScenarioOutcome = {
  readonly pickleId: string;
  readonly name: string;
  readonly uri: string;
  /** Line of the scenario, or of the example row for a scenario outline. */
  readonly line: number;
  readonly tags: string[];
  /** The most severe step result of the final attempt. */
  readonly status: ScenarioStatus;
  readonly attempts: number;
  /** The final attempt passed after an earlier one did not. */
  readonly flaky: boolean;
  /** The final attempt started and never finished: the run was interrupted. */
  readonly unfinished: boolean;
  /** Why the final attempt did not pass; for a flaky scenario, why the last failed attempt did not. */
  readonly message?: string;
  /** The step or hook that `message` is about, e.g. `step "Given a customer"`. */
  readonly step?: string;
  /** It never ran because the run stopped early (status SKIPPED): why. */
  readonly notRun?: string;
};

export type RunFacts = {
  readonly pickles: number;
  readonly testRunStarted: boolean;
  /** When the run started (ISO), from its testRunStarted timestamp: the clock quarantine expiry is judged by. */
  readonly startedAt?: string;
  readonly testRunFinished: boolean;
  /** As cucumber reported it; true for flaky runs, so never enough on its own. */
  readonly success?: boolean;
  readonly exception?: string;
  /** BeforeAll/AfterAll failures, e.g. `BeforeAll hook (support/hooks.ts:7) failed: broker down`. */
  readonly failedHooks: string[];
  readonly undefinedParameterTypes: string[];
  /** Feature files Gherkin could not parse: their scenarios never became pickles. */
  readonly parseErrors: string[];
};

export type RunSummary = {
  readonly scenarios: ScenarioOutcome[];
  readonly run: RunFacts;
};

type Attempt = {
  readonly status: ScenarioStatus;
  /** Finished for good: a testCaseFinished that announces no retry. */
  readonly settled: boolean;
  readonly message?: string;
  readonly step?: string;
};

const HOOK_KINDS: Readonly<Record<string, string>> = {
  BEFORE_TEST_RUN: 'BeforeAll',
  AFTER_TEST_RUN: 'AfterAll',
  BEFORE_TEST_CASE: 'Before',
  AFTER_TEST_CASE: 'After',
  BEFORE_TEST_STEP: 'BeforeStep',
  AFTER_TEST_STEP: 'AfterStep',
};

// Said when a step reports no error text of its own.
const STATUS_MEANINGS: Readonly<Record<ScenarioStatus, string>> = {
  PASSED: 'passed',
  FAILED: 'failed without an error message',
  PENDING: 'it is marked pending (not implemented yet)',
  UNDEFINED: 'no step definition matches it',
  AMBIGUOUS: 'more than one step definition matches it',
  SKIPPED: 'it was skipped',
  UNKNOWN: 'no step reported a result',
};

export function summarizeRun(envelopes: readonly Envelope[]): RunSummary {
  const query = new Query();
  for (const envelope of envelopes) query.update(envelope);
  const attempts = attemptsByPickle(envelopes);
  const notRun = notRunAttempts(envelopes);
  const scenarios = query.findAllPickles().flatMap((pickle) => {
    const started = attempts.get(pickle.id);
    return started ? [outcomeOf(query, pickle, started, notRun)] : [];
  });
  return { scenarios, run: runFactsOf(query, envelopes) };
}

/**
 * Every attempt of every scheduled pickle. Query hides attempts that will be retried, and
 * flakiness is exactly what those attempts show, so they are gathered here.
 */
function attemptsByPickle(envelopes: readonly Envelope[]): Map<string, TestCaseStarted[]> {
  const pickleOfTestCase = new Map<string, string>();
  const attempts = new Map<string, TestCaseStarted[]>();
  for (const { testCase, testCaseStarted } of envelopes) {
    if (testCase) {
      pickleOfTestCase.set(testCase.id, testCase.pickleId);
      if (!attempts.has(testCase.pickleId)) attempts.set(testCase.pickleId, []);
    }
    if (testCaseStarted) {
      const pickleId = pickleOfTestCase.get(testCaseStarted.testCaseId);
      if (pickleId !== undefined) attempts.get(pickleId)?.push(testCaseStarted);
    }
  }
  return attempts;
}

function outcomeOf(
  query: Query,
  pickle: Pickle,
  started: readonly TestCaseStarted[],
  notRun: ReadonlyMap<string, string>,
): ScenarioOutcome {
  const sorted = started.toSorted((a, b) => a.attempt - b.attempt);
  const ran = attemptsThatRan(sorted, notRun);
  // A retry the stopped run did not make leaves the attempt before it as the scenario's last word.
  const attempts = ran.map((each, index) =>
    index === ran.length - 1 && ran.length < sorted.length
      ? { ...attemptOf(query, each), settled: query.findTestCaseFinishedBy(each) !== undefined }
      : attemptOf(query, each),
  );
  const identity = {
    pickleId: pickle.id,
    name: pickle.name,
    uri: pickle.uri,
    line: query.findLocationOf(pickle)?.line ?? 0,
    tags: pickle.tags.map((tag) => tag.name),
    attempts: attempts.length,
  };
  const skippedBecause = sorted[0] === undefined ? undefined : notRun.get(sorted[0].id);
  if (skippedBecause !== undefined && attempts.length === 0) {
    return { ...identity, status: 'SKIPPED', flaky: false, unfinished: false, notRun: skippedBecause };
  }
  const final = attempts.at(-1);
  if (!final) {
    return { ...identity, status: 'UNKNOWN', flaky: false, unfinished: false, message: 'it never started' };
  }
  const earlierFailure = attempts.slice(0, -1).findLast((attempt) => attempt.status !== 'PASSED');
  const flaky = final.settled && final.status === 'PASSED' && earlierFailure !== undefined;
  const explained = final.status !== 'PASSED' ? final : flaky ? earlierFailure : undefined;
  return {
    ...identity,
    status: final.status,
    flaky,
    unfinished: !final.settled,
    ...(explained?.message === undefined ? {} : { message: explained.message }),
    ...(explained?.step === undefined ? {} : { step: explained.step }),
  };
}

function attemptOf(query: Query, started: TestCaseStarted): Attempt {
  const finished = query.findTestCaseFinishedBy(started);
  // A retry announced but never started is as unfinished as an attempt cut off mid-step.
  const settled = finished !== undefined && !finished.willBeRetried;
  const worst = query.findMostSevereTestStepResultBy(started);
  const status: ScenarioStatus = worst?.status ?? 'UNKNOWN';
  if (status === 'PASSED') return { status, settled };
  const decisive = query
    .findTestStepFinishedAndTestStepBy(started)
    .find(([stepFinished]) => stepFinished.testStepResult.status === status);
  if (!decisive) return { status, settled, message: STATUS_MEANINGS[status] };
  const [stepFinished, testStep] = decisive;
  return {
    status,
    settled,
    message: errorText(stepFinished.testStepResult) ?? STATUS_MEANINGS[status],
    step: describeStep(query, testStep),
  };
}

function describeStep(query: Query, testStep: TestStep): string {
  if (testStep.hookId !== undefined) return describeHook(query.findHookBy(testStep));
  const pickleStep = query.findPickleStepBy(testStep);
  if (!pickleStep) return 'a step';
  const keyword = pickleStep.astNodeIds.length > 0 ? query.findStepBy(pickleStep)?.keyword.trim() : undefined;
  return `step "${keyword ? `${keyword} ` : ''}${pickleStep.text}"`;
}

function describeHook(hook: Hook | undefined): string {
  const kind = (hook?.type && HOOK_KINDS[hook.type]) ?? 'a';
  const name = hook?.name ? ` "${hook.name}"` : '';
  const source = hook?.sourceReference;
  const where = source?.uri ? ` (${source.uri}${source.location ? `:${source.location.line}` : ''})` : '';
  return `${kind} hook${name}${where}`;
}

/** The error itself, without the stack trace that cucumber-js folds into `message`. */
export function errorText(result: TestStepResult): string | undefined {
  const text =
    result.exception?.message ??
    result.message
      ?.split('\n')
      .filter((line) => !/^\s+at /.test(line))
      .join('\n');
  return text?.trim() || undefined;
}

function runFactsOf(query: Query, envelopes: readonly Envelope[]): RunFacts {
  const finished = query.findTestRunFinished();
  const started = startedAt(envelopes);
  const exception = finished?.exception
    ? (finished.exception.message ?? finished.exception.type)
    : finished?.message;
  return {
    pickles: query.findAllPickles().length,
    testRunStarted: query.findTestRunStarted() !== undefined,
    ...(started ? { startedAt: started } : {}),
    testRunFinished: finished !== undefined,
    ...(finished === undefined ? {} : { success: finished.success }),
    ...(exception ? { exception } : {}),
    failedHooks: query.findAllTestRunHookFinished().flatMap((hook) => failedHook(query, hook)),
    undefinedParameterTypes: query
      .findAllUndefinedParameterTypes()
      .map((type) => `{${type.name}} (used in "${type.expression}")`),
    parseErrors: envelopes.flatMap(({ parseError }) =>
      parseError
        ? [
            `${parseError.source.uri ?? 'a feature file'}:${parseError.source.location?.line ?? 0}: ${parseError.message}`,
          ]
        : [],
    ),
  };
}

/** When the run started (ISO), from its testRunStarted message. */
export function startedAt(envelopes: readonly Envelope[]): string | undefined {
  const timestamp = envelopes.find((envelope) => envelope.testRunStarted)?.testRunStarted?.timestamp;
  return timestamp ? new Date(timestamp.seconds * 1000 + timestamp.nanos / 1e6).toISOString() : undefined;
}

function failedHook(query: Query, finished: TestRunHookFinished): string[] {
  const { status } = finished.result;
  // A skipped AfterAll follows some other failure, which is reported on its own.
  if (status === 'PASSED' || status === 'SKIPPED') return [];
  const outcome = status === 'FAILED' ? 'failed' : `ended ${status}`;
  const why = errorText(finished.result) ?? STATUS_MEANINGS[status];
  return [`${describeHook(query.findHookBy(finished))} ${outcome}: ${why}`];
}
