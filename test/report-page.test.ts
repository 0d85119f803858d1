// report.html as a reader opens it from a CI artifact: from file://, in a Chromium that may reach
// nothing, the page asks for nothing but itself and shows, to the accessibility tree, the verdict and
// every reason, every scenario with its status, and where the stopped order stopped; and
// `mes-e2e report --single-file` builds the same page again from the run folder.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser, Locator, Page } from 'playwright';
import { launchChromium } from '../src/drivers/browser.ts';
import { evaluateResults, type GateVerdict } from '../src/gate/results.ts';
import { writeRunReports } from '../src/report/write-reports.ts';
import { compatibilityStream as cck } from './support/compatibility-kit.ts';
import { stopped, wentThrough, withJourneyAttachments } from './support/journeys.ts';
import { chromiumMissing, skipWhenMissing } from './support/needs.ts';
import { openOffline } from './support/offline-page.ts';
import { runMesE2e } from './support/run-cli.ts';

const skip = skipWhenMissing('report.html in Chromium', await chromiumMissing());
const failing = "Test cases won't retry after failing more than the --retry limit";
const flaky = 'Test cases that fail are retried if within the --retry limit';

describe('report.html in Chromium, offline', { skip, timeout: 120_000 }, () => {
  let browser: Browser;
  let dir: string;
  let verdict: GateVerdict;
  let page: Page;
  /** Every request the page made, allowed or not. */
  let requested: string[] = [];

  before(async () => {
    browser = await launchChromium();
    dir = await mkdtemp(join(tmpdir(), 'mes-e2e-report-page-'));
    // The run's messages: the failed scenario's final attempt placed an order that stopped before pricing.
    const envelopes = withJourneyAttachments(cck('retry'), (name) =>
      name === failing ? [stopped, wentThrough] : name === flaky ? [wentThrough] : undefined,
    );
    // As cucumber writes it in a run: the source report --single-file builds the page again from.
    const messages = join(dir, 'messages.ndjson');
    await writeFile(messages, envelopes.map((envelope) => `${JSON.stringify(envelope)}\n`).join(''));
    verdict = evaluateResults([{ source: messages, envelopes }]);
    const problems = await writeRunReports(envelopes, verdict, {
      runId: 'run-7',
      reportDir: dir,
      durationMs: 2500,
      environment: {},
    });
    assert.deepEqual(problems, []);
    ({ page, requested } = await openOffline(browser, join(dir, 'report.html')));
  });

  after(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('asks for nothing but the file itself', async () => {
    assert.deepEqual(requested, [pathToFileURL(join(dir, 'report.html')).href]);
  });

  it('heads the page with the verdict and every reason', async () => {
    assert.equal(verdict.verdict, 'BLOCK');
    await page.getByRole('heading', { level: 1, name: 'BLOCK mes-e2e run run-7' }).waitFor();
    const reasons = page.locator('header').getByRole('list').getByRole('listitem');
    assert.deepEqual(await reasons.allInnerTexts(), verdict.reasons);
    const counts = page.getByRole('table', { name: 'Counts' });
    assert.equal(await counts.getByRole('columnheader', { name: 'failed', exact: true }).count(), 1);
  });

  it('lists every scenario in the contents and shows each with its status, the failed one first', async () => {
    const contents = page.getByRole('navigation', { name: 'Contents' });
    const scenarios = page.getByRole('main').locator('details > summary');
    assert.equal(await scenarios.count(), verdict.scenarios.length);
    for (const scenario of verdict.scenarios) {
      assert.equal(
        await contents.getByRole('link', { name: scenario.name, exact: true }).count(),
        1,
        scenario.name,
      );
      const summary = scenarios.filter({ hasText: scenario.name });
      assert.ok(await summary.getByText(scenario.name, { exact: true }).isVisible(), scenario.name);
      assert.ok(await summary.getByText(`${scenario.uri}:${scenario.line}`).isVisible());
    }
    const textOf = async (summary: Locator) => (await summary.textContent()) ?? '';
    assert.ok((await textOf(scenarios.first())).startsWith(`FAILED ${failing}`));
    assert.match(await textOf(scenarios.filter({ hasText: flaky })), /^FLAKY /);
    assert.match(
      await textOf(scenarios.filter({ hasText: "Test cases that pass aren't retried" })),
      /^PASSED /,
    );
    const failed = page.getByRole('main').locator('details').first();
    assert.ok(await failed.getByText('Exception in step', { exact: true }).isVisible());
    assert.ok(await failed.getByText('At step "Given a step that always fails":').isVisible());
  });

  it('draws where the order stopped, as a picture and in its table', async () => {
    const failed = page.getByRole('main').locator('details').first();
    const picture = failed.getByRole('img', { name: 'Journeys of 2 orders: 1 stopped' });
    assert.ok(await picture.isVisible());
    assert.ok(await failed.getByText('stopped before: pricing completed', { exact: true }).isVisible());
    const table = failed.getByRole('table', {
      name: /^Order ord-stopped \(b2c\): stopped before: pricing completed/,
    });
    const stop = table.getByRole('row', { name: /pricing completed/ });
    assert.equal(await stop.getByRole('cell', { name: 'stopped here', exact: true }).count(), 1);
    // The flaky scenario's picture is its own: two pictures, two names, not the first one's twice.
    const names = await page
      .getByRole('img')
      .evaluateAll((images) => images.map((image) => image.querySelector('title')?.textContent ?? ''));
    assert.deepEqual(names, [
      'Journeys of 2 orders: 1 stopped',
      'Journey of order ord-through: went through every hop',
    ]);
    assert.equal(
      await page.getByRole('img', { name: 'Journey of order ord-through: went through every hop' }).count(),
      1,
    );
  });

  it('is built again, the same, by mes-e2e report --single-file', async () => {
    const written = await readFile(join(dir, 'report.html'), 'utf8');
    const result = await runMesE2e(['report', '--single-file', dir], {
      cwd: dir,
      timeoutMs: 30_000,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), `one-page report: ${join(dir, 'report.html')}`);
    const rebuilt = await readFile(join(dir, 'report.html'), 'utf8');
    // The run measured its own time; the rebuild reads it from the messages.
    const withoutTime = (html: string) => html.replace(/ · took [^·<]+?(?= ·|<)/, '');
    assert.match(written, /took 2\.5 s/);
    assert.equal(withoutTime(rebuilt), withoutTime(written));
  });

  it('refuses --single-file with --open or --previous (Allure options), saying how to open the page', async () => {
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
    for (const extra of [['--open'], ['--previous', dir]]) {
      const result = await runMesE2e(['report', '--single-file', ...extra, dir], { cwd: dir, env });
      assert.equal(result.code, 2, `${extra[0]}: ${result.stderr}`);
      assert.match(result.stderr, /--open and --previous are for the Allure report, not --single-file/);
      assert.match(result.stderr, /report\.html opens from the file itself/);
    }
  });
});
