// Allure results written from real cucumber streams: statuses that match the verdict, retries, attachments
// (the journey picture and its table among them), labels.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AttachmentContentEncoding, type Envelope } from '@cucumber/messages';
import { compatibilityStream as cck, compatibilitySamples } from '../../test/support/compatibility-kit.ts';
import { stopped } from '../../test/support/journeys.ts';
import type { BudgetPlot } from '../charts/budget-plot.ts';
import { budgetPlotsOf } from '../charts/budget-plot.ts';
import { checkBudgets } from '../gate/coverage.ts';
import { figuresEnvelope } from '../gate/figures.ts';
import { defaultPolicy } from '../gate/policy.ts';
import { type ScenarioOutcome, summarizeRun } from '../gate/scenarios.ts';
import { journeySvg } from '../journey/timeline-svg.ts';
import { journeyTableHtml } from '../journey/timeline-table.ts';
import { budgetSuite } from './allure-budgets.ts';
import type { AllureAttachment, AllureResult, AllureStep } from './allure-model.ts';
import { writeAllureResults } from './allure-results.ts';
import { ALLURE_STATUS } from './allure-steps.ts';

const temporary: string[] = [];

after(async () => {
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function written(
  envelopes: readonly Envelope[],
  environment?: Record<string, string>,
  budgets?: readonly BudgetPlot[],
): Promise<{ dir: string; results: AllureResult[]; count: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'mes-e2e-allure-results-'));
  temporary.push(dir);
  const { results: count } = await writeAllureResults(envelopes, dir, {
    runId: 'run-42',
    ...(environment ? { environment } : {}),
    ...(budgets ? { budgets } : {}),
  });
  const files = (await readdir(dir)).filter((file) => file.endsWith('-result.json'));
  const results = await Promise.all(
    files.map(async (file) => JSON.parse(await readFile(join(dir, file), 'utf8')) as AllureResult),
  );
  return { dir, results, count };
}

function resultsOf(results: readonly AllureResult[], scenario: ScenarioOutcome): AllureResult[] {
  const place = `${scenario.uri}:${scenario.line}`;
  return results
    .filter((result) => result.fullName === `${place} ${scenario.name}`.trim())
    .toSorted((a, b) => (a.start ?? 0) - (b.start ?? 0));
}

function finalOf(results: readonly AllureResult[], scenario: ScenarioOutcome): AllureResult | undefined {
  return resultsOf(results, scenario).at(-1);
}

describe('writeAllureResults', () => {
  it('gives each budget whose figure was recorded a result of its own, failed when over, its plot attached', async () => {
    const envelopes = [...cck('retry'), figuresEnvelope({ list_ms: [10, 20, 900] })];
    const policy = {
      ...defaultPolicy,
      budgets: [
        { figure: 'list_ms', statistic: 'p95' as const, max: 500 },
        { figure: 'list_ms', statistic: 'p50' as const, max: 500 },
      ],
    };
    const plots = budgetPlotsOf(checkBudgets([envelopes], policy));
    const { dir, results, count } = await written(envelopes, undefined, plots);
    const budgets = results.filter((result) => result.labels.some((label) => label.value === budgetSuite));
    assert.equal(count, results.length);
    assert.equal(budgets.length, 2, 'one result per budget, beside the attempts of the scenarios');
    assert.deepEqual(
      budgets.map((result) => [result.name, result.status, result.statusDetails.message]).sort(),
      [
        ['Budget: list_ms p50 at most 500', 'passed', 'list_ms: p50 20 within the budget of 500 (3 samples)'],
        ['Budget: list_ms p95 at most 500', 'failed', 'list_ms: p95 900 over the budget of 500 (3 samples)'],
      ],
    );
    const [picture] = budgets.flatMap((result) => result.attachments);
    assert.equal(picture?.type, 'image/svg+xml');
    assert.match(await readFile(join(dir, picture?.source ?? ''), 'utf8'), /^<svg [^>]*role="img"/);
    assert.notEqual(budgets[0]?.historyId, budgets[1]?.historyId, 'one history per budget');
  });

  it('never writes passed for a scenario the gate does not see as passed, in any CCK stream', async () => {
    for (const sample of compatibilitySamples()) {
      const envelopes = cck(sample);
      const { results } = await written(envelopes);
      for (const scenario of summarizeRun(envelopes).scenarios) {
        const final = finalOf(results, scenario);
        const expected = scenario.unfinished ? 'broken' : ALLURE_STATUS[scenario.status];
        assert.equal(final?.status, expected, `${sample}: ${scenario.uri}:${scenario.line}`);
        if (scenario.status !== 'PASSED') {
          assert.ok(
            resultsOf(results, scenario).every((result) => result.status !== 'passed'),
            `${sample}: ${scenario.uri}:${scenario.line} has a passed attempt`,
          );
        }
      }
    }
  });

  it('writes undefined, ambiguous and pending steps as broken, saying which step and why', async () => {
    const messages = async (sample: string) =>
      (await written(cck(sample))).results.map((result) => [result.status, result.statusDetails.message]);
    assert.deepEqual((await messages('undefined')).toSorted(), [
      ['broken', 'undefined step: And a step that is yet to be defined'],
      ['broken', 'undefined step: Given a list of 8 things'],
      ['broken', 'undefined step: Given a step that is yet to be defined'],
      ['broken', 'undefined step: Given a step that is yet to be defined'],
    ]);
    assert.deepEqual(await messages('ambiguous'), [
      ['broken', 'ambiguous step: Given a step with multiple definitions'],
    ]);
    assert.ok(
      (await messages('pending')).every(
        ([status, message]) => status === 'broken' && /^pending step: /.test(message ?? ''),
      ),
    );
    assert.deepEqual(await messages('pending-exception'), [
      ['broken', 'pending step: Given an unimplemented pending step (TODO)'],
    ]);
  });

  it('suggests the snippet cucumber offers for an undefined step', async () => {
    const { results } = await written(cck('undefined'));
    const undefinedStep = results
      .flatMap((result) => result.steps)
      .find((step) => step.statusDetails.message?.startsWith('undefined step: Given a step that is yet'));
    assert.match(undefinedStep?.statusDetails.trace ?? '', /Given\("a step that is yet to be defined"/);
  });

  it('writes one result per attempt, sharing the history of the scenario, and flags the flaky pass', async () => {
    const envelopes = cck('retry');
    const { results, count } = await written(envelopes);
    const { scenarios } = summarizeRun(envelopes);
    assert.equal(count, 9);
    assert.equal(
      results.length,
      scenarios.reduce((sum, scenario) => sum + scenario.attempts, 0),
    );
    for (const scenario of scenarios) {
      const attempts = resultsOf(results, scenario);
      assert.equal(attempts.length, scenario.attempts);
      assert.equal(new Set(attempts.map((result) => result.historyId)).size, 1);
      assert.equal(new Set(attempts.map((result) => result.testCaseId)).size, 1);
      assert.equal(new Set(attempts.map((result) => result.uuid)).size, attempts.length);
      assert.deepEqual(
        attempts.map((result) => result.statusDetails.flaky === true),
        attempts.map((_, index) => scenario.flaky && index === attempts.length - 1),
      );
    }
    const flaky = scenarios.filter((scenario) => scenario.flaky);
    assert.equal(flaky.length, 2);
    for (const scenario of flaky) {
      const attempts = resultsOf(results, scenario);
      assert.equal(attempts.at(-1)?.status, 'passed');
      assert.ok(attempts.slice(0, -1).every((result) => result.status === 'failed'));
      assert.equal(attempts[0]?.statusDetails.message, 'Exception in step');
    }
    const historyIds = new Set(results.map((result) => result.historyId));
    assert.equal(historyIds.size, scenarios.length);
  });

  it('orders attempts that start in the same millisecond, so Allure shows the final one', async () => {
    const sameInstant = cck('retry').map((envelope) =>
      envelope.testCaseStarted
        ? { testCaseStarted: { ...envelope.testCaseStarted, timestamp: { seconds: 7, nanos: 0 } } }
        : envelope,
    );
    const { results } = await written(sameInstant);
    const flaky = summarizeRun(sameInstant).scenarios.find((scenario) => scenario.attempts === 2);
    const [first, second] = results
      .filter((result) => result.fullName.startsWith(`${flaky?.uri}:${flaky?.line} `))
      .toSorted((a, b) => (a.start ?? 0) - (b.start ?? 0));
    assert.ok((first?.start ?? 0) < (second?.start ?? 0));
    assert.equal(second?.status, 'passed');
    assert.equal(second?.statusDetails.flaky, true);
  });

  it('writes attachments as files, decoded and referenced from the step that made them', async () => {
    const { dir, results } = await written(cck('attachments'));
    const byName = new Map(results.map((result) => [result.name, result]));
    const attachmentOf = async (scenario: string) => {
      // What the step attached, not the doc string it was given.
      const attachment = byName
        .get(scenario)
        ?.steps.flatMap((step) => step.attachments)
        .find((each) => each.name !== 'doc string');
      assert.ok(attachment, `no attachment on "${scenario}"`);
      return { attachment, content: await readFile(join(dir, attachment.source)) };
    };
    const bytes = await attachmentOf('Byte arrays are base64-encoded regardless of media type');
    assert.deepEqual([...bytes.content], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(bytes.attachment.type, 'text/plain');
    const pdf = await attachmentOf('Attaching PDFs with a different filename');
    assert.equal(pdf.attachment.name, 'renamed.pdf');
    assert.equal(pdf.attachment.type, 'application/pdf');
    assert.match(pdf.attachment.source, /-attachment\.pdf$/);
    assert.equal(pdf.content.subarray(0, 4).toString(), '%PDF');
    const log = await attachmentOf('Log text');
    assert.deepEqual(
      [log.attachment.name, log.attachment.type, log.content.toString()],
      ['log', 'text/plain', 'hello'],
    );
    const json = await attachmentOf('Log JSON');
    assert.equal(json.attachment.type, 'application/json');
    assert.deepEqual(JSON.parse(json.content.toString()), { message: 'The <b>big</b> question', foo: 'bar' });
    const link = await attachmentOf('Attaching URIs');
    assert.equal(link.content.toString().trim(), 'https://cucumber.io');
    const failed = byName.get('Attaching during a failed step');
    assert.equal(failed?.status, 'failed');
    assert.equal(failed?.steps[0]?.attachments.length, 1);
  });

  it('carries the journey picture and its table from an After hook, as an image and as HTML', async () => {
    const svg = journeySvg([stopped]);
    const table = journeyTableHtml([stopped]);
    // The hook's own attachment stands in for the After hook of steps/support/hooks.ts.
    const envelopes = cck('hooks-attachment').flatMap((envelope): Envelope[] => {
      const made = envelope.attachment;
      if (made?.testStepId !== '11') return [envelope];
      const journey = { ...made, fileName: 'journey.svg', body: Buffer.from(svg).toString('base64') };
      const twin = {
        ...made,
        fileName: 'journey-table.html',
        mediaType: 'text/html',
        contentEncoding: AttachmentContentEncoding.IDENTITY,
        body: table,
      };
      return [{ attachment: journey }, { attachment: twin }];
    });
    const { dir, results } = await written(envelopes);
    const everyAttachment = (step: AllureStep): AllureAttachment[] => [
      ...step.attachments,
      ...step.steps.flatMap(everyAttachment),
    ];
    const attached = results.flatMap(everyAttachment);
    const picture = attached.find((attachment) => attachment.name === 'journey.svg');
    const twin = attached.find((attachment) => attachment.name === 'journey-table.html');
    assert.equal(picture?.type, 'image/svg+xml');
    assert.match(picture?.source ?? '', /-attachment\.svg$/);
    assert.equal(await readFile(join(dir, picture?.source ?? ''), 'utf8'), svg);
    assert.equal(twin?.type, 'text/html');
    assert.match(twin?.source ?? '', /-attachment\.html$/);
    assert.equal(await readFile(join(dir, twin?.source ?? ''), 'utf8'), table);
  });

  it('labels each result for the Behaviors, Suites and Graphs views', async () => {
    const tagged = cck('hooks-conditional').map((envelope) =>
      envelope.pickle
        ? {
            pickle: {
              ...envelope.pickle,
              tags: [...envelope.pickle.tags, { name: '@critical', astNodeId: 'x' }],
            },
          }
        : envelope,
    );
    const { results } = await written(tagged);
    const result = results.find((each) => each.labels.some((label) => label.value === 'fail-before'));
    assert.ok(result);
    const labels = (name: string) =>
      result.labels.filter((label) => label.name === name).map((label) => label.value);
    assert.deepEqual(labels('feature'), ['Hooks - Conditional execution']);
    assert.deepEqual(labels('suite'), ['samples/hooks-conditional/hooks-conditional.feature']);
    assert.deepEqual(labels('tag'), ['fail-before', 'critical']);
    assert.deepEqual(labels('severity'), ['critical']);
    assert.deepEqual(labels('framework'), ['cucumberjs']);
    assert.deepEqual(labels('language'), ['javascript']);
    assert.match(result.fullName, /^samples\/hooks-conditional\/hooks-conditional\.feature:\d+ \S/);
    assert.equal(typeof result.start, 'number');
    assert.ok((result.stop ?? 0) >= (result.start ?? 0));
    const untagged = (await written(cck('minimal'))).results[0];
    assert.deepEqual(
      untagged?.labels.filter((label) => label.name === 'severity').map((label) => label.value),
      ['normal'],
    );
  });

  it('names hooks as hooks, with their status and error', async () => {
    const named = (await written(cck('hooks-named'))).results[0];
    assert.deepEqual(
      named?.steps.map((step) => step.name),
      ['Before hook "A named before hook"', 'When a step passes', 'After hook "A named after hook"'],
    );
    const { results } = await written(cck('hooks-conditional'));
    const failedBefore = results.find((result) => result.steps[0]?.status === 'failed');
    assert.match(failedBefore?.steps[0]?.name ?? '', /^Before hook/);
    assert.equal(failedBefore?.status, 'failed');
    assert.equal(failedBefore?.statusDetails.message, failedBefore?.steps[0]?.statusDetails.message);
  });

  it('shows a doc string or data table beside its step', async () => {
    const { results } = await written(cck('data-tables'));
    const withTable = results
      .flatMap((result) => result.steps)
      .find((step: AllureStep) => step.attachments.some((attachment) => attachment.name === 'data table'));
    assert.equal(withTable?.attachments[0]?.type, 'text/csv');
  });

  it('writes an interrupted attempt as broken, and a scenario that never started as unknown', async () => {
    const minimal = cck('minimal');
    const cut = minimal.filter((envelope) => !envelope.testCaseFinished && !envelope.testRunFinished);
    const interrupted = (await written(cut)).results;
    assert.deepEqual(
      interrupted.map((result) => [result.status, result.statusDetails.message?.split(':')[0]]),
      [['broken', 'interrupted']],
    );
    const retryNeverStarted = minimal.flatMap((envelope): Envelope[] => {
      if (envelope.testRunFinished) return [];
      if (!envelope.testCaseFinished) return [envelope];
      return [{ testCaseFinished: { ...envelope.testCaseFinished, willBeRetried: true } }];
    });
    assert.deepEqual(
      (await written(retryNeverStarted)).results.map((result) => [
        result.status,
        result.statusDetails.message,
      ]),
      [['broken', 'interrupted: a retry was announced after this attempt and never started']],
    );
    const notStarted = minimal.filter((envelope) => !envelope.testCaseStarted);
    const { results, count } = await written(notStarted);
    assert.equal(count, 1);
    assert.deepEqual(
      results.map((result) => [result.status, result.statusDetails.message?.split(':')[0]]),
      [['unknown', 'not started']],
    );
  });

  it('writes the environment, with the run id, and the categories', async () => {
    const { dir } = await written(cck('minimal'), { 'base.url': 'http://localhost:3000', node: 'v24' });
    const properties = await readFile(join(dir, 'environment.properties'), 'utf8');
    assert.match(properties, /^base\.url=http\\:\/\/localhost\\:3000$|^base\.url=http:\/\/localhost:3000$/m);
    assert.match(properties, /^node=v24$/m);
    assert.match(properties, /^run\.id=run-42$/m);
    const categories = JSON.parse(await readFile(join(dir, 'categories.json'), 'utf8')) as { name: string }[];
    assert.ok(categories.some((category) => category.name === 'Undefined steps'));
    const executor = JSON.parse(await readFile(join(dir, 'executor.json'), 'utf8')) as { reportName: string };
    assert.equal(executor.reportName, 'mes-e2e run run-42');
  });
});
