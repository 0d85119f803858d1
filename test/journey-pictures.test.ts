// The journey pictures in a real Chromium, offline: Mermaid's own parser and renderer (the mermaid
// devDependency) take every chart summary.md holds, the stop and hostile names included; the SVG
// timeline shows its lanes and the stop to the accessibility tree, as an image and beside its table.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright';
import { launchChromium } from '../src/drivers/browser.ts';
import { figuresEnvelope } from '../src/gate/figures.ts';
import { defaultPolicy } from '../src/gate/policy.ts';
import { evaluateResults } from '../src/gate/results.ts';
import { journeySvg } from '../src/journey/timeline-svg.ts';
import { journeyTableHtml } from '../src/journey/timeline-table.ts';
import { summaryMarkdown } from '../src/report/summary.ts';
import { writeRunReports } from '../src/report/write-reports.ts';
import { compatibilityStream as cck } from './support/compatibility-kit.ts';
import { hostile, stopped, wentThrough, withJourneyAttachments } from './support/journeys.ts';
import { chromiumMissing, skipWhenMissing } from './support/needs.ts';

const skip = skipWhenMissing('journey pictures in Chromium', await chromiumMissing());
const mermaidScript = fileURLToPath(import.meta.resolve('mermaid/dist/mermaid.min.js'));
const failing = "Test cases won't retry after failing more than the --retry limit";

const chartsIn = (markdown: string) =>
  [...markdown.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((match) => match[1] ?? '');

describe('journey pictures in Chromium', { skip, timeout: 120_000 }, () => {
  let browser: Browser;
  let dir: string;
  let mermaidPage: Page | undefined;

  before(async () => {
    browser = await launchChromium();
    dir = await mkdtemp(join(tmpdir(), 'mes-e2e-journey-pictures-'));
  });

  after(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A blank page that cannot reach anything: what it shows comes from the test alone. */
  async function offlinePage(): Promise<Page> {
    const page = await browser.newPage();
    await page.route('**/*', (route) => route.abort());
    return page;
  }

  /** Each chart parsed by mermaid.parse, then drawn by mermaid.render: the SVG it drew, or the error. */
  async function mermaidDraws(charts: readonly string[]): Promise<Array<{ svg?: string; error?: string }>> {
    // Mermaid is 3.5 MB of script: loaded once, on the first chart.
    if (!mermaidPage) {
      mermaidPage = await offlinePage();
      await mermaidPage.addScriptTag({ path: mermaidScript });
    }
    return mermaidPage.evaluate(async (sources) => {
      const { mermaid } = globalThis as unknown as {
        mermaid: {
          initialize(config: object): void;
          parse(text: string): Promise<unknown>;
          render(id: string, text: string): Promise<{ svg: string }>;
        };
      };
      mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
      const drawn: Array<{ svg?: string; error?: string }> = [];
      for (const [index, source] of sources.entries()) {
        try {
          await mermaid.parse(source);
          drawn.push({ svg: (await mermaid.render(`chart-${Date.now()}-${index}`, source)).svg });
        } catch (error) {
          drawn.push({ error: String((error as Error).message ?? error) });
        }
      }
      return drawn;
    }, charts);
  }

  it("parses and draws every chart of a run's summary.md, the stop marked, hostile names too", async () => {
    // summary.md as a run writes it, from the messages: the failed scenario's final attempt attached these.
    const envelopes = withJourneyAttachments(cck('retry'), (name) =>
      name === failing ? [wentThrough, hostile] : undefined,
    );
    const verdict = evaluateResults([{ source: 'messages.ndjson', envelopes }]);
    const problems = await writeRunReports(envelopes, verdict, {
      runId: 'run-7',
      reportDir: dir,
      durationMs: 1000,
      environment: {},
    });
    assert.deepEqual(problems, []);
    const fromRun = chartsIn(await readFile(join(dir, 'summary.md'), 'utf8'));
    assert.equal(fromRun.length, 1, 'one failed scenario, one chart');
    const another = chartsIn(
      summaryMarkdown(verdict, {
        runId: 'run-7',
        journeys: [
          { name: 'stops at pricing', uri: 'features/orders.feature', line: 3, journeys: [stopped] },
        ],
      }),
    );
    const [hostileChart, stoppedChart] = await mermaidDraws([...fromRun, ...another]);
    assert.equal(hostileChart?.error, undefined);
    assert.match(
      hostileChart?.svg ?? '',
      /STOPPED before price done 1 quoted init script alert\(1\) \/script x end/,
    );
    assert.doesNotMatch(hostileChart?.svg ?? '', /<script/);
    assert.equal(stoppedChart?.error, undefined);
    assert.match(stoppedChart?.svg ?? '', /STOPPED before pricing completed/);
    assert.match(stoppedChart?.svg ?? '', /pricing requested \(unknown\)/);
  });

  it("parses and draws the budgets' percentile plots of summary.md, the limit as a line, hostile figure names too", async () => {
    const figures = { 'created_to_priced_ms.b2c': [300, 900, 7000], 'say "hi" %%{init}%%': [1, 2] };
    const envelopes = [...cck('retry'), figuresEnvelope(figures)];
    const budgets = Object.keys(figures).map((figure) => ({ figure, statistic: 'p95' as const, max: 5000 }));
    const verdict = evaluateResults([{ source: 'messages.ndjson', envelopes }], {
      ...defaultPolicy,
      budgets,
    });
    // The run before recorded the first budget only, within its limit.
    const [first] = verdict.budgets;
    const percentiles = { p50: 300, p90: 2000, p95: 2100, p99: 2100, max: 2100, mean: 800 };
    const before = { ...(first ?? assert.fail('no budget')), value: 2100, ok: true, percentiles };
    const summary = summaryMarkdown(verdict, {
      runId: 'run-7',
      history: { window: 10, runs: [], scenarios: [], budgetsBefore: { run: 'run-6', budgets: [before] } },
    });
    const charts = chartsIn(summary).filter((chart) => chart.startsWith('xychart-beta'));
    assert.equal(charts.length, 3, summary);
    const [overBudget, runBefore, hostile] = await mermaidDraws(charts);
    assert.equal(runBefore?.error, undefined);
    assert.match(
      runBefore?.svg ?? '',
      /the run before \(run-6\) created_to_priced_ms\.b2c p95 2100 within the budget of 5000/,
    );
    assert.equal(overBudget?.error, undefined);
    assert.match(
      overBudget?.svg ?? '',
      /created_to_priced_ms\.b2c p95 7000 over the budget of 5000 \(3 samples\)/,
    );
    assert.match(overBudget?.svg ?? '', /p95 \(budget\)/);
    assert.equal(hostile?.error, undefined);
    assert.match(
      hostile?.svg ?? '',
      /say hi init p95 2 within the budget/,
      'syntax and directives made plain',
    );
  });

  it("refuses a chart that is not Mermaid's syntax, so a parse that passes means something", async () => {
    const [broken] = await mermaidDraws(['gantt\n  dateFormat x\n  section a: b\n  1. a :h1, 0, 0, x, y']);
    assert.ok(broken?.error, 'mermaid accepted a broken chart');
  });

  it('shows the picture with its lanes and the stop, to the eye and to the accessibility tree', async () => {
    const page = await offlinePage();
    const journeys = [wentThrough, stopped];
    const table = journeyTableHtml(journeys).replace(/^[\s\S]*<body>|<\/body>[\s\S]*$/g, '');
    await page.setContent(
      `<!doctype html><html lang="en"><body>${journeySvg(journeys)}${table}</body></html>`,
    );
    const screenshot = join(dir, 'journey.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    assert.ok((await stat(screenshot)).size > 10_000, 'a screenshot with something on it');

    const picture = page.getByRole('img', { name: 'Journeys of 2 orders: 1 stopped' });
    assert.equal(await picture.count(), 1);
    const image = await accessibleImage(page);
    assert.equal(image.name, 'Journeys of 2 orders: 1 stopped');
    assert.match(image.description, /Order ord-stopped stopped before: pricing completed \(pricing\)/);
    assert.match(image.description, /Lanes: crm, rabbitmq, mes, pricing\./);

    for (const lane of ['crm', 'rabbitmq', 'mes', 'pricing'])
      assert.ok(
        await page.locator(`[data-lane="${lane}"]`).first().getByText(lane, { exact: true }).isVisible(),
        lane,
      );
    const stop = page.getByText('stopped before: pricing completed', { exact: true });
    assert.ok(await stop.isVisible());

    const twin = page.getByRole('table', {
      name: /^Order ord-stopped \(b2c\): stopped before: pricing completed/,
    });
    const stoppedRow = twin.getByRole('row', { name: /pricing completed/ });
    assert.equal(await stoppedRow.getByRole('cell', { name: 'stopped here', exact: true }).count(), 1);
    assert.equal(await twin.getByRole('row').count(), 7);
  });

  it('draws the picture on its own, as cucumber.html shows it: an image from its base64 body', async () => {
    const page = await offlinePage();
    const svg = journeySvg([stopped]);
    const mark = /data-status="stopped here">[\s\S]*?<rect x="([\d.]+)" y="([\d.]+)"/.exec(svg);
    assert.ok(mark, 'the stop has a square');
    const pixel = await page.evaluate(
      async ({ source, x, y }) => {
        const image = new Image();
        image.src = source;
        await image.decode();
        const canvas = document.createElement('canvas');
        canvas.width = image.naturalWidth;
        canvas.height = image.naturalHeight;
        const context = canvas.getContext('2d') as CanvasRenderingContext2D;
        context.drawImage(image, 0, 0);
        // A corner of the square, away from the white cross.
        return [...context.getImageData(x + 2, y + 2, 1, 1).data];
      },
      {
        source: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
        x: Number(mark[1]),
        y: Number(mark[2]),
      },
    );
    assert.deepEqual(pixel, [0xc6, 0x28, 0x28, 255]);
  });
});

/** The picture's name and description as Chromium's accessibility tree holds them. */
async function accessibleImage(page: Page): Promise<{ name: string; description: string }> {
  const session = await page.context().newCDPSession(page);
  const { nodes } = (await session.send('Accessibility.getFullAXTree')) as {
    nodes: Array<{ role?: { value?: string }; name?: { value?: string }; description?: { value?: string } }>;
  };
  const image = nodes.find((node) => node.role?.value === 'image');
  assert.ok(image, 'no image in the accessibility tree');
  return { name: image.name?.value ?? '', description: image.description?.value ?? '' };
}
