// Turns one attempt's test steps (hooks included) into Allure steps, each with its status, what explains it, and its attachments.
import {
  type TestCaseStarted,
  type TestStep,
  type TestStepFinished,
  type TestStepResult,
  type TestStepStarted,
  TimeConversion,
  type Timestamp,
} from '@cucumber/messages';
import type { Query } from '@cucumber/query';
import { errorText, type ScenarioStatus } from '../gate/scenarios.ts';
import { type AttachmentSink, argumentAttachments } from './allure-attachments.ts';
import type { AllureAttachment, AllureStatus, AllureStatusDetails, AllureStep } from './allure-model.ts';

/** What the attempt attached during a step, found by the step's id. */
export type AttachedTo = (testStepId: string) => AllureAttachment[];

export type Outcome = { status: AllureStatus; details: AllureStatusDetails };

/** Only PASSED is passed: a step that could not run is "broken", never green. */
export const ALLURE_STATUS: Readonly<Record<ScenarioStatus, AllureStatus>> = {
  PASSED: 'passed',
  FAILED: 'failed',
  UNDEFINED: 'broken',
  AMBIGUOUS: 'broken',
  PENDING: 'broken',
  SKIPPED: 'skipped',
  UNKNOWN: 'unknown',
};

const HOOK_KINDS: Readonly<Record<string, string>> = {
  BEFORE_TEST_CASE: 'Before',
  AFTER_TEST_CASE: 'After',
  BEFORE_TEST_STEP: 'BeforeStep',
  AFTER_TEST_STEP: 'AfterStep',
};

/** The same rule as the gate: the most severe step result decides, and that step explains it. */
export function attemptOutcome(
  query: Query,
  started: TestCaseStarted,
  steps: readonly AllureStep[],
): Outcome {
  const status = query.findMostSevereTestStepResultBy(started)?.status ?? 'UNKNOWN';
  if (status === 'PASSED') return { status: 'passed', details: {} };
  const decisive = query
    .findTestStepFinishedAndTestStepBy(started)
    .find(([finished]) => finished.testStepResult.status === status)?.[1];
  // `steps` follow the test case's steps one for one.
  const index = decisive ? (query.findTestCaseBy(started)?.testSteps.indexOf(decisive) ?? -1) : -1;
  const details = steps[index]?.statusDetails ?? { message: 'no step reported a result' };
  return { status: ALLURE_STATUS[status], details };
}

/** One step per test step of the attempt, in the test case's order. */
export function attemptSteps(
  query: Query,
  started: TestCaseStarted,
  attachedTo: AttachedTo,
  sink: AttachmentSink,
): AllureStep[] {
  const testCase = query.findTestCaseBy(started);
  if (!testCase) return [];
  const progress: StepProgress = {
    started: new Map(query.findTestStepsStartedBy(started).map((step) => [step.testStepId, step])),
    finished: new Map(query.findTestStepsFinishedBy(started).map((step) => [step.testStepId, step])),
  };
  const firstPickleStep = testCase.testSteps.findIndex((step) => step.pickleStepId !== undefined);
  return testCase.testSteps.map((testStep, index) => {
    const beforeSteps = firstPickleStep < 0 || index < firstPickleStep;
    return stepResult(query, testStep, { progress, beforeSteps, attachedTo }, sink);
  });
}

type StepProgress = {
  readonly started: ReadonlyMap<string, TestStepStarted>;
  readonly finished: ReadonlyMap<string, TestStepFinished>;
};

function stepResult(
  query: Query,
  testStep: TestStep,
  where: { progress: StepProgress; beforeSteps: boolean; attachedTo: AttachedTo },
  sink: AttachmentSink,
): AllureStep {
  const name = stepName(query, testStep, where.beforeSteps);
  const attachments = [
    ...argumentAttachments(query.findPickleStepBy(testStep)?.argument, sink),
    ...where.attachedTo(testStep.id),
  ];
  const base = { name, steps: [], attachments, parameters: [] };
  const begun = where.progress.started.get(testStep.id);
  const ended = where.progress.finished.get(testStep.id);
  if (ended) {
    const result = ended.testStepResult;
    return {
      ...base,
      status: ALLURE_STATUS[result.status],
      statusDetails: stepDetails(query, testStep, name, result),
      stage: 'finished',
      start: epochMs(begun?.timestamp ?? ended.timestamp),
      stop: epochMs(ended.timestamp),
    };
  }
  if (begun) {
    const details = { message: 'interrupted: the step started and never finished' };
    return {
      ...base,
      status: 'broken',
      statusDetails: details,
      stage: 'interrupted',
      start: epochMs(begun.timestamp),
    };
  }
  const details = { message: 'not run: the scenario was interrupted before this step' };
  return { ...base, status: 'skipped', statusDetails: details, stage: 'scheduled' };
}

function stepName(query: Query, testStep: TestStep, beforeSteps: boolean): string {
  if (testStep.hookId !== undefined) {
    const hook = query.findHookBy(testStep);
    // Older streams carry no hook type; where the hook sits among the steps says which it is.
    const kind = (hook?.type && HOOK_KINDS[hook.type]) ?? (beforeSteps ? 'Before' : 'After');
    return hook?.name ? `${kind} hook "${hook.name}"` : `${kind} hook`;
  }
  const pickleStep = query.findPickleStepBy(testStep);
  if (!pickleStep) return 'step';
  const keyword = pickleStep.astNodeIds.length > 0 ? (query.findStepBy(pickleStep)?.keyword ?? '') : '';
  return `${keyword}${pickleStep.text}`;
}

function stepDetails(
  query: Query,
  testStep: TestStep,
  name: string,
  result: TestStepResult,
): AllureStatusDetails {
  const why = errorText(result);
  switch (result.status) {
    case 'PASSED':
      return {};
    case 'UNDEFINED':
      return withTrace(`undefined step: ${name}`, snippets(query, testStep));
    case 'AMBIGUOUS':
      return withTrace(`ambiguous step: ${name}`, result.message ?? definitions(query, testStep));
    case 'PENDING':
      return withTrace(`pending step: ${name}${why ? ` (${why})` : ''}`, traceOf(result));
    case 'FAILED':
      return withTrace(why ?? `${name} failed without an error message`, traceOf(result));
    case 'SKIPPED':
      return why ? { message: why } : {};
    default:
      return { message: `${name}: no result reported` };
  }
}

function withTrace(message: string, trace: string | undefined): AllureStatusDetails {
  return trace ? { message, trace } : { message };
}

function traceOf(result: TestStepResult): string | undefined {
  return result.exception?.stackTrace ?? result.message;
}

function snippets(query: Query, testStep: TestStep): string | undefined {
  const pickleStep = query.findPickleStepBy(testStep);
  const code = pickleStep
    ? query.findSuggestionsBy(pickleStep).flatMap((suggestion) => suggestion.snippets.map((s) => s.code))
    : [];
  return code.length > 0 ? `Implement it, for example:\n\n${code.join('\n\n')}` : undefined;
}

function definitions(query: Query, testStep: TestStep): string | undefined {
  const matching = query.findStepDefinitionsBy(testStep).map((definition) => {
    const { uri, location } = definition.sourceReference;
    return `${definition.pattern.source} (${uri ?? '?'}:${location?.line ?? '?'})`;
  });
  return matching.length > 0 ? `Matching step definitions:\n${matching.join('\n')}` : undefined;
}

export function epochMs(timestamp: Timestamp): number {
  return Math.round(TimeConversion.timestampToMillisecondsSinceEpoch(timestamp));
}
