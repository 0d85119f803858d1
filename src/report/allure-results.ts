// Writes Allure 2 result files from a run's cucumber messages, one result per attempt, never "passed" for what did not pass.
//
// Written from the messages rather than by allure-cucumberjs, which (3.12) reports undefined and
// ambiguous steps as passed, pending ones as skipped, and drops a flaky scenario's failed attempt.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Envelope, Meta, Pickle, TestCaseFinished, TestCaseStarted } from '@cucumber/messages';
import { type Lineage, Query } from '@cucumber/query';
import { stringifyEnvInfo } from 'allure-js-commons/sdk/reporter';
import type { BudgetPlot } from '../charts/budget-plot.ts';
import { attemptsThatRan, notRunAttempts } from '../gate/not-run.ts';
import { type ScenarioOutcome, summarizeRun } from '../gate/scenarios.ts';
import { type AttachmentSink, cucumberAttachment, externalAttachment } from './allure-attachments.ts';
import { budgetResults } from './allure-budgets.ts';
import type {
  AllureAttachment,
  AllureCategory,
  AllureExecutor,
  AllureLabel,
  AllureParameter,
  AllureResult,
} from './allure-model.ts';
import { attemptOutcome, attemptSteps, epochMs, type Outcome } from './allure-steps.ts';

export type AllureRunInfo = {
  runId: string;
  environment?: Record<string, string>;
  /** The policy's budgets against the run's figures: each a result of its own (allure-budgets.ts). */
  budgets?: readonly BudgetPlot[];
};

/** Each message prefix written here and in allure-steps.ts has a category, so the Categories tab sorts them apart from real defects. */
export const ALLURE_CATEGORIES: readonly AllureCategory[] = [
  {
    name: 'Undefined steps',
    description: 'No step definition matches the step: write one (the step shows a snippet).',
    matchedStatuses: ['broken'],
    messageRegex: 'undefined step: .*',
  },
  {
    name: 'Ambiguous steps',
    description: 'More than one step definition matches the step: make the patterns distinct.',
    matchedStatuses: ['broken'],
    messageRegex: 'ambiguous step: .*',
  },
  {
    name: 'Pending steps',
    description: 'The step is marked pending: it is not implemented yet.',
    matchedStatuses: ['broken'],
    messageRegex: 'pending step: .*',
  },
  {
    name: 'Interrupted',
    description: 'The scenario started and never finished: the run was stopped or crashed.',
    matchedStatuses: ['broken'],
    messageRegex: 'interrupted.*',
  },
  {
    name: 'Not started',
    description: 'The scenario was scheduled but the run stopped before it began.',
    matchedStatuses: ['unknown'],
    messageRegex: 'not started.*',
  },
  {
    name: 'Flaky',
    description: 'Passed only on a retry: see the failed attempt under Retries.',
    matchedStatuses: ['passed'],
    flaky: true,
  },
];

type RunIndex = {
  readonly query: Query;
  readonly pickles: ReadonlyMap<string, Pickle>;
  /** Every attempt, including those the Query hides because they were retried. */
  readonly attempts: ReadonlyMap<string, readonly TestCaseStarted[]>;
  readonly attachments: ReadonlyMap<string, readonly Envelope[]>;
  /** Attempts the run skipped because it stopped early, with why (src/gate/not-run.ts). */
  readonly notRun: ReadonlyMap<string, string>;
};

/** What every attempt of one scenario shares. */
type TestIdentity = Pick<
  AllureResult,
  'name' | 'fullName' | 'historyId' | 'testCaseId' | 'description' | 'labels' | 'parameters' | 'links'
>;

/**
 * Writes into `outDir`, which should be empty: Allure reads every result file it finds there,
 * so results left from another run would be reported as part of this one.
 */
export async function writeAllureResults(
  envelopes: readonly Envelope[],
  outDir: string,
  info: AllureRunInfo,
): Promise<{ results: number }> {
  const sink: AttachmentSink = [];
  const run = indexRun(envelopes);
  const results = summarizeRun(envelopes).scenarios.flatMap((scenario) =>
    scenarioResults(run, scenario, sink),
  );
  const ended = run.query.findTestRunFinished()?.timestamp;
  results.push(...budgetResults(info.budgets ?? [], ended ? epochMs(ended) : Date.now(), sink));
  await mkdir(outDir, { recursive: true });
  // One file at a time: a run with thousands of attachments must not run out of file handles.
  for (const result of results) {
    await writeFile(join(outDir, `${result.uuid}-result.json`), JSON.stringify(result));
  }
  for (const file of sink) await writeFile(join(outDir, file.source), file.content);
  await writeFile(join(outDir, 'environment.properties'), environmentProperties(info));
  await writeFile(join(outDir, 'categories.json'), JSON.stringify(ALLURE_CATEGORIES, null, 2));
  await writeFile(
    join(outDir, 'executor.json'),
    JSON.stringify(executorOf(run.query.findMeta(), info.runId)),
  );
  return { results: results.length };
}

function indexRun(envelopes: readonly Envelope[]): RunIndex {
  const query = new Query();
  for (const envelope of envelopes) query.update(envelope);
  return {
    query,
    pickles: new Map(query.findAllPickles().map((pickle) => [pickle.id, pickle])),
    attempts: attemptsByPickle(envelopes),
    attachments: attachmentsByStep(envelopes),
    notRun: notRunAttempts(envelopes),
  };
}

function attemptsByPickle(envelopes: readonly Envelope[]): Map<string, TestCaseStarted[]> {
  const pickleOfTestCase = new Map<string, string>();
  const attempts = new Map<string, TestCaseStarted[]>();
  for (const { testCase, testCaseStarted } of envelopes) {
    if (testCase) pickleOfTestCase.set(testCase.id, testCase.pickleId);
    const pickleId = testCaseStarted && pickleOfTestCase.get(testCaseStarted.testCaseId);
    if (testCaseStarted && pickleId !== undefined) {
      const list = attempts.get(pickleId) ?? [];
      list.push(testCaseStarted);
      attempts.set(pickleId, list);
    }
  }
  for (const list of attempts.values()) list.sort((a, b) => a.attempt - b.attempt);
  return attempts;
}

/** Keyed by attempt and step; an attachment made outside any step is keyed by the attempt alone. */
function attachmentsByStep(envelopes: readonly Envelope[]): Map<string, Envelope[]> {
  const byStep = new Map<string, Envelope[]>();
  for (const envelope of envelopes) {
    const made = envelope.attachment ?? envelope.externalAttachment;
    if (made?.testCaseStartedId === undefined) continue;
    const key = stepKey(made.testCaseStartedId, made.testStepId);
    const list = byStep.get(key) ?? [];
    list.push(envelope);
    byStep.set(key, list);
  }
  return byStep;
}

function stepKey(testCaseStartedId: string, testStepId: string | undefined): string {
  return `${testCaseStartedId}\u0000${testStepId ?? ''}`;
}

function scenarioResults(run: RunIndex, scenario: ScenarioOutcome, sink: AttachmentSink): AllureResult[] {
  const pickle = run.pickles.get(scenario.pickleId);
  const test = testIdentity(pickle && run.query.findLineageBy(pickle), scenario);
  const every = run.attempts.get(scenario.pickleId) ?? [];
  // A scenario the stopped run never began shows why: its skipped attempt stands.
  const ran = attemptsThatRan(every, run.notRun);
  const attempts = ran.length > 0 ? ran : every;
  if (attempts.length === 0) return [notStartedResult(test)];
  let previousStart = Number.NEGATIVE_INFINITY;
  return attempts.map((started, index) => {
    // Allure shows the attempt that started last and lists the others as its retries; attempts
    // starting in the same millisecond (an undefined step takes none) would make that a coin toss.
    const start = Math.max(epochMs(started.timestamp), previousStart + 1);
    previousStart = start;
    const final = index === attempts.length - 1;
    const timing = { start, flaky: final && scenario.flaky, interrupted: final && scenario.unfinished };
    return attemptResult(run, test, started, timing, sink);
  });
}

function testIdentity(lineage: Lineage | undefined, scenario: ScenarioOutcome): TestIdentity {
  const place = `${scenario.uri}:${scenario.line}`;
  const id = createHash('md5').update(place).digest('hex');
  const description = dedent(lineage?.scenario?.description ?? '');
  return {
    name: scenario.name || place,
    fullName: `${place} ${scenario.name}`.trim(),
    historyId: id,
    testCaseId: id,
    ...(description ? { description } : {}),
    labels: labelsOf(lineage, scenario),
    parameters: exampleParameters(lineage),
    links: [],
  };
}

function labelsOf(lineage: Lineage | undefined, scenario: ScenarioOutcome): AllureLabel[] {
  const rule = lineage?.rule?.name;
  return [
    { name: 'feature', value: lineage?.feature?.name || scenario.uri },
    ...(rule ? [{ name: 'story', value: rule }] : []),
    { name: 'suite', value: scenario.uri },
    ...scenario.tags.map((tag) => ({ name: 'tag', value: tag.replace(/^@/, '') })),
    { name: 'severity', value: scenario.tags.includes('@critical') ? 'critical' : 'normal' },
    { name: 'framework', value: 'cucumberjs' },
    { name: 'language', value: 'javascript' },
  ];
}

/** The rows of a scenario outline share a name; their values tell them apart. */
function exampleParameters(lineage: Lineage | undefined): AllureParameter[] {
  const header = lineage?.examples?.tableHeader?.cells ?? [];
  const values = lineage?.example?.cells ?? [];
  return header.map((cell, index) => ({ name: cell.value, value: values[index]?.value ?? '' }));
}

function notStartedResult(test: TestIdentity): AllureResult {
  return {
    uuid: randomUUID(),
    ...test,
    status: 'unknown',
    statusDetails: { message: 'not started: the run stopped before this scenario began' },
    stage: 'scheduled',
    steps: [],
    attachments: [],
  };
}

function attemptResult(
  run: RunIndex,
  test: TestIdentity,
  started: TestCaseStarted,
  timing: { start: number; flaky: boolean; interrupted: boolean },
  sink: AttachmentSink,
): AllureResult {
  const finished = run.query.findTestCaseFinishedBy(started);
  const steps = attemptSteps(
    run.query,
    started,
    (testStepId) => attachmentsOf(run, started.id, testStepId, sink),
    sink,
  );
  const notRun = run.notRun.get(started.id);
  const outcome = notRun
    ? { status: 'skipped' as const, details: { message: `not run: ${notRun}` } }
    : finished && !timing.interrupted
      ? attemptOutcome(run.query, started, steps)
      : interrupted(finished);
  const stop = finished
    ? epochMs(finished.timestamp)
    : (steps.findLast((step) => step.stop)?.stop ?? timing.start);
  return {
    uuid: randomUUID(),
    ...test,
    labels: [...test.labels, ...(started.workerId ? [{ name: 'thread', value: started.workerId }] : [])],
    status: outcome.status,
    statusDetails: { ...outcome.details, ...(timing.flaky ? { flaky: true } : {}) },
    stage: finished && !timing.interrupted ? 'finished' : 'interrupted',
    start: timing.start,
    stop: Math.max(stop, timing.start),
    steps,
    attachments: attachmentsOf(run, started.id, undefined, sink),
  };
}

/** Either the attempt never finished, or it announced a retry that never started: the gate's "unfinished". */
function interrupted(finished: TestCaseFinished | undefined): Outcome {
  const message = finished
    ? 'interrupted: a retry was announced after this attempt and never started'
    : 'interrupted: the scenario started and never finished';
  return { status: 'broken', details: { message } };
}

function attachmentsOf(
  run: RunIndex,
  testCaseStartedId: string,
  testStepId: string | undefined,
  sink: AttachmentSink,
): AllureAttachment[] {
  return (run.attachments.get(stepKey(testCaseStartedId, testStepId)) ?? []).flatMap((envelope) => {
    if (envelope.attachment) return [cucumberAttachment(envelope.attachment, sink)];
    if (envelope.externalAttachment) return [externalAttachment(envelope.externalAttachment, sink)];
    return [];
  });
}

function environmentProperties(info: AllureRunInfo): string {
  return `${stringifyEnvInfo({ ...info.environment, 'run.id': info.runId })}\n`;
}

function executorOf(meta: Meta | undefined, runId: string): AllureExecutor {
  const ci = meta?.ci;
  return {
    name: ci?.name ?? 'mes-e2e',
    type: 'mes-e2e',
    buildName: ci?.buildNumber ? `${ci.buildNumber} (run ${runId})` : `run ${runId}`,
    reportName: `mes-e2e run ${runId}`,
    ...(ci?.url ? { url: ci.url, buildUrl: ci.url } : {}),
  };
}

/** Gherkin keeps a description's indentation; the report should not. */
function dedent(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .trim();
}
