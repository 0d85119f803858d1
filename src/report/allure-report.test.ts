// The Allure HTML report, generated for real from CCK results: it counts what was written, and asks for Java when there is none.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { compatibilityStream } from '../../test/support/compatibility-kit.ts';
import { MesE2eError } from '../errors.ts';
import { buildAllureReport, carryAllureHistory } from './allure-report.ts';
import { writeAllureResults } from './allure-results.ts';

const temporary: string[] = [];

after(async () => {
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'mes-e2e-allure-report-'));
  temporary.push(dir);
  return dir;
}

async function resultsOf(sample: string): Promise<string> {
  const dir = join(await scratch(), 'allure-results');
  await writeAllureResults(compatibilityStream(sample), dir, {
    runId: 'r',
  });
  return dir;
}

type Statistic = {
  passed: number;
  failed: number;
  broken: number;
  skipped: number;
  unknown: number;
  total: number;
};
type ReportedCase = { name: string; status: string; flaky: boolean; hidden: boolean; retriesCount: number };

async function reported(reportDir: string): Promise<{ statistic: Statistic; cases: ReportedCase[] }> {
  const summary = JSON.parse(await readFile(join(reportDir, 'widgets', 'summary.json'), 'utf8'));
  const dir = join(reportDir, 'data', 'test-cases');
  const cases = await Promise.all(
    (await readdir(dir)).map(
      async (file) => JSON.parse(await readFile(join(dir, file), 'utf8')) as ReportedCase,
    ),
  );
  return { statistic: summary.statistic, cases };
}

async function writtenStatuses(resultsDir: string): Promise<string[]> {
  const files = (await readdir(resultsDir)).filter((file) => file.endsWith('-result.json'));
  const results = await Promise.all(
    files.map(
      async (file) => JSON.parse(await readFile(join(resultsDir, file), 'utf8')) as { status: string },
    ),
  );
  return results.map((result) => result.status).toSorted();
}

async function rejection(promise: Promise<unknown>): Promise<MesE2eError> {
  const error = await promise.then(
    () => assert.fail('expected it to throw'),
    (thrown: unknown) => thrown,
  );
  assert.ok(error instanceof MesE2eError, `not a MesE2eError: ${error}`);
  return error;
}

/** The report of the undefined sample, built once: its test checks it, and carryAllureHistory's carries its history. */
let undefinedReport: Promise<{ results: string; report: string }> | undefined;
const builtUndefinedReport = () => {
  undefinedReport ??= (async () => {
    const results = await resultsOf('undefined');
    const report = join(await scratch(), 'allure-report');
    await buildAllureReport(results, report);
    return { results, report };
  })();
  return undefinedReport;
};

describe('buildAllureReport', () => {
  it('builds a report that counts an undefined-step run as broken, with nothing passed', async () => {
    const { results, report } = await builtUndefinedReport();
    assert.ok(existsSync(join(report, 'index.html')));
    const { statistic, cases } = await reported(report);
    assert.equal(statistic.passed, 0);
    assert.equal(statistic.broken, 4);
    assert.deepEqual(cases.map((each) => each.status).toSorted(), await writtenStatuses(results));
  });

  it('shows a flaky scenario as flaky, with its failed attempts as retries', async () => {
    const results = await resultsOf('retry');
    const report = join(await scratch(), 'allure-report');
    await buildAllureReport(results, report);
    const { statistic, cases } = await reported(report);
    assert.deepEqual([statistic.total, statistic.passed, statistic.failed], [4, 3, 1]);
    assert.deepEqual(cases.map((each) => each.status).toSorted(), await writtenStatuses(results));
    const shown = cases.filter((each) => !each.hidden);
    assert.deepEqual(shown.map((each) => [each.status, each.flaky, each.retriesCount]).toSorted(), [
      ['failed', false, 2],
      ['passed', false, 0],
      ['passed', true, 1],
      ['passed', true, 2],
    ]);
  });

  it('refuses to pass off a report that lost a result Allure could not read', async () => {
    const results = await resultsOf('minimal');
    await writeFile(join(results, '00000000-0000-0000-0000-000000000000-result.json'), '{"status": "fail');
    const error = await rejection(buildAllureReport(results, join(await scratch(), 'allure-report')));
    assert.equal(error.kind, 'environment');
    assert.match(error.message, /shows 1 of the 2 results/);
  });

  it('asks for Java when neither PATH nor JAVA_HOME has one', async () => {
    const results = await resultsOf('minimal');
    const report = join(await scratch(), 'allure-report');
    for (const env of [{ PATH: '/nonexistent' }, { PATH: '/nonexistent', JAVA_HOME: '/nonexistent/jdk' }]) {
      const error = await rejection(buildAllureReport(results, report, { env }));
      assert.equal(error.kind, 'usage');
      assert.equal(error.message, 'the Allure HTML report needs Java (17 or newer): none found');
      assert.match(error.hint, /apt-get install openjdk-17-jre-headless/);
      assert.ok(error.hint.includes(results), 'the hint says where the raw results are');
    }
    assert.equal(existsSync(report), false);
  });

  it('says so when there are no results to report on', async () => {
    const error = await rejection(buildAllureReport(join(await scratch(), 'missing'), await scratch()));
    assert.equal(error.kind, 'usage');
    assert.match(error.message, /no Allure results at/);
  });
});

describe('carryAllureHistory', () => {
  const trendRuns = async (report: string) =>
    (JSON.parse(await readFile(join(report, 'widgets', 'history-trend.json'), 'utf8')) as unknown[]).length;

  it("fills the trend charts with the previous report's history", async () => {
    const first = (await builtUndefinedReport()).report;
    assert.equal(await trendRuns(first), 1);
    const results = await resultsOf('minimal');
    assert.equal(await carryAllureHistory(first, results), join(first, 'history'));
    const second = join(await scratch(), 'allure-report');
    await buildAllureReport(results, second);
    assert.equal(await trendRuns(second), 2);
  });

  it('starts the trend afresh when the previous report has no history, and refuses one that is not there', async () => {
    const results = await resultsOf('minimal');
    assert.equal(await carryAllureHistory(await scratch(), results), undefined);
    const error = await rejection(carryAllureHistory(join(await scratch(), 'nothing'), results));
    assert.equal(error.kind, 'usage');
    assert.match(error.message, /no previous Allure report at/);
  });
});
