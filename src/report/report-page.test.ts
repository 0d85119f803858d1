// report.html says what the verdict says and shows every scenario, those to look at first, with why
// it did not pass and its journeys drawn inline; names from feature files stay text, and nothing in
// it reaches for the network.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AttachmentContentEncoding, type Envelope } from '@cucumber/messages';
import { compatibilityStream as cck } from '../../test/support/compatibility-kit.ts';
import {
  hostile,
  hostileHop,
  stopped,
  wentThrough,
  withJourneyAttachments,
} from '../../test/support/journeys.ts';
import { budgetPlotsOf } from '../charts/budget-plot.ts';
import { figuresEnvelope } from '../gate/figures.ts';
import { notRunBody, notRunMediaType } from '../gate/not-run.ts';
import { defaultPolicy, type Policy } from '../gate/policy.ts';
import { evaluateResults, type GateVerdict } from '../gate/results.ts';
import { pageScenarios } from './page-scenarios.ts';
import { reportPageHtml } from './report-page.ts';
import { pageVerdictOf, readGateJson, writeReportPage } from './write-report-page.ts';
import { writeGateJson, writeRunReports } from './write-reports.ts';

const failing = "Test cases won't retry after failing more than the --retry limit";

const judge = (envelopes: readonly Envelope[], policy: Policy = defaultPolicy) =>
  evaluateResults([{ source: 'messages.ndjson', envelopes }], policy);

function pageOf(envelopes: readonly Envelope[], verdict: GateVerdict = judge(envelopes)): string {
  const { budgets, ...page } = pageVerdictOf(verdict);
  return reportPageHtml({
    runId: 'run-7',
    ...page,
    scenarios: pageScenarios(page.scenarios, [{ envelopes }]),
    budgets: budgetPlotsOf(budgets ?? []),
  });
}

type Block = { id: string; badge: string; name: string; where: string; open: boolean; body: string };

/** Each scenario's <details>, in page order: its badge, name and place as the summary line shows them. */
function scenarioBlocks(html: string): Block[] {
  return [
    ...html.matchAll(/<details class="scenario [a-z]+" id="([^"]+)"( open)?>([\s\S]*?)<\/details>/g),
  ].map((match) => {
    const body = match[3] ?? '';
    const summary =
      /<summary><span class="badge [a-z]+">([^<]*)<\/span> <strong>([^<]*)<\/strong> <span class="where">([^<]*)<\/span>/.exec(
        body,
      );
    assert.ok(summary, `a summary line in ${match[1]}`);
    return {
      id: match[1] ?? '',
      badge: summary[1] ?? '',
      name: summary[2] ?? '',
      where: summary[3] ?? '',
      open: match[2] !== undefined,
      body,
    };
  });
}

/** Text as a reader sees it: tags gone, the entities this page writes turned back. */
const asText = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** A stream with the early-stop hook's note on the first attempt of the scenario: it did not run. */
function notRun(envelopes: readonly Envelope[], name: string, reason: string): Envelope[] {
  const pickleId = envelopes.find((e) => e.pickle?.name === name)?.pickle?.id;
  const testCaseId = envelopes.find((e) => e.testCase?.pickleId === pickleId)?.testCase?.id;
  const at = envelopes.findIndex((e) => e.testCaseStarted?.testCaseId === testCaseId);
  const started = envelopes[at]?.testCaseStarted;
  assert.ok(started, `no attempt of "${name}"`);
  const note: Envelope = {
    attachment: {
      testCaseStartedId: started.id,
      body: notRunBody({ reason }),
      mediaType: notRunMediaType,
      contentEncoding: AttachmentContentEncoding.IDENTITY,
    },
  };
  return [...envelopes.slice(0, at + 1), note, ...envelopes.slice(at + 1)];
}

describe('reportPageHtml', () => {
  it('heads the page with the verdict and gives every reason and the counts', () => {
    const envelopes = cck('retry');
    const verdict = judge(envelopes);
    const html = pageOf(envelopes, verdict);
    assert.match(html, /<title>BLOCK: mes-e2e run run-7<\/title>/);
    assert.match(html, /<h1><span class="verdict BLOCK">BLOCK<\/span> mes-e2e run run-7<\/h1>/);
    const reasons = /<h2 id="reasons">Why it blocks<\/h2>\n<ul>([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';
    const items = [...reasons.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((match) => asText(match[1] ?? ''));
    assert.deepEqual(items, verdict.reasons);
    assert.ok(verdict.reasons.length > 0);
    const counts = /<table class="counts">[\s\S]*?<tbody><tr>(.*?)<\/tr>/.exec(html)?.[1] ?? '';
    assert.deepEqual([...counts.matchAll(/<td>(\d+)<\/td>/g)].map((match) => Number(match[1])).slice(0, 4), [
      verdict.counts.scenarios,
      verdict.counts.passed,
      verdict.counts.failed,
      verdict.counts.flaky,
    ]);
  });

  it('says nothing blocks on a run that promotes', () => {
    const html = pageOf(cck('minimal'));
    assert.match(html, /<span class="verdict PROMOTE">PROMOTE<\/span>/);
    assert.match(html, /Nothing blocks: every rule of the policy holds\./);
    assert.doesNotMatch(html.split('</style>')[1] ?? '', /Why it blocks|BLOCK/);
  });

  it('shows every scenario once, with its feature file and line, those to look at first and open', () => {
    for (const sample of ['retry', 'all-statuses', 'examples-tables', 'hooks', 'rules']) {
      const envelopes = cck(sample);
      const verdict = judge(envelopes);
      const blocks = scenarioBlocks(pageOf(envelopes, verdict));
      assert.deepEqual(
        blocks.map((block) => `${asText(block.name)} ${block.where}`).toSorted(),
        verdict.scenarios.map((scenario) => `${scenario.name} ${scenario.uri}:${scenario.line}`).toSorted(),
        sample,
      );
      const lookedAt = blocks.map((block) => block.badge !== 'PASSED');
      assert.deepEqual(lookedAt, lookedAt.toSorted().reverse(), `${sample}: the ones to look at come first`);
      for (const block of blocks) assert.equal(block.open, block.badge !== 'PASSED', block.name);
    }
  });

  it('puts a failed scenario before a flaky one and gives its status, message and the step it failed at', () => {
    const blocks = scenarioBlocks(pageOf(cck('retry')));
    assert.deepEqual(
      blocks.map((block) => [asText(block.name), block.badge]),
      [
        [failing, 'FAILED'],
        ['Test cases that fail are retried if within the --retry limit', 'FLAKY'],
        ['Test cases that fail will continue to retry up to the --retry limit', 'FLAKY'],
        ["Test cases that pass aren't retried", 'PASSED'],
      ],
    );
    const failed = blocks[0]?.body ?? '';
    assert.match(failed, /<dt>Status<\/dt><dd>FAILED after 3 attempts<\/dd>/);
    assert.match(
      failed,
      /<p>At step &quot;Given a step that always fails&quot;:<\/p><pre>Exception in step<\/pre>/,
    );
    assert.match(blocks[1]?.body ?? '', /flaky: passed on attempt 2 after failing/);
    assert.match(
      blocks[1]?.body ?? '',
      /Failed earlier at step &quot;Given a step that passes the second time&quot;/,
    );
  });

  it('names the other statuses: undefined, pending, ambiguous, not run, quarantined', () => {
    const badges = (envelopes: readonly Envelope[], policy?: Policy) =>
      Object.fromEntries(
        scenarioBlocks(pageOf(envelopes, judge(envelopes, policy))).map((block) => [
          asText(block.name),
          block.badge,
        ]),
      );
    assert.ok(Object.values(badges(cck('undefined'))).includes('UNDEFINED'));
    assert.ok(Object.values(badges(cck('pending'))).includes('PENDING'));
    assert.ok(Object.values(badges(cck('ambiguous'))).includes('AMBIGUOUS'));
    const reason = 'the run stopped after 5 scenarios failed (max failures 5)';
    const stoppedEarly = notRun(cck('retry'), "Test cases that pass aren't retried", reason);
    assert.equal(badges(stoppedEarly)["Test cases that pass aren't retried"], 'NOT RUN');
    assert.match(pageOf(stoppedEarly), new RegExp(`<dd>not run: ${reason.replace(/[()]/g, '\\$&')}</dd>`));
    // The kit's runs start at the epoch: an entry that holds until 1970-01-01 holds for them.
    const quarantining: Policy = {
      ...defaultPolicy,
      quarantine: {
        ...defaultPolicy.quarantine,
        entries: [
          {
            scenario: 'A failing scenario',
            owner: '@alice',
            reason: 'flaps',
            expires: '1970-01-01',
            line: 1,
          },
        ],
      },
    };
    const envelopes = cck('global-hooks');
    assert.equal(badges(envelopes, quarantining)['A failing scenario'], 'FAILED · QUARANTINED');
    assert.match(pageOf(envelopes, judge(envelopes, quarantining)), /FAILED; quarantined: it does not block/);
  });

  it("draws each scenario's final journeys inline, as a picture with its own ids and as a table", () => {
    const envelopes = withJourneyAttachments(cck('retry'), (name, attempt) =>
      name === failing ? [{ ...stopped, orderId: `ord-attempt-${attempt}` }, wentThrough] : undefined,
    );
    const blocks = scenarioBlocks(pageOf(envelopes));
    const failed = blocks.find((block) => asText(block.name) === failing);
    assert.ok(failed);
    const svgs = failed.body.match(/<svg [^>]*>/g) ?? [];
    assert.equal(svgs.length, 1);
    assert.match(svgs[0] ?? '', new RegExp(`aria-labelledby="${failed.id}-journeys-title"`));
    assert.match(
      failed.body,
      new RegExp(`<title id="${failed.id}-journeys-title">Journeys of 2 orders: 1 stopped</title>`),
    );
    assert.match(failed.body, /stopped before: pricing completed/);
    assert.match(failed.body, /<caption>Order ord-attempt-2 \(b2c\): stopped before: pricing completed/);
    assert.doesNotMatch(
      failed.body,
      /ord-attempt-[01]/,
      "an earlier attempt's journeys are not the ones that failed",
    );
    assert.match(failed.body, /<tr class="stopped-here"><th scope="row">pricing completed<\/th>/);
    for (const other of blocks.filter((block) => block !== failed)) assert.doesNotMatch(other.body, /<svg/);
  });

  it('draws each budget whose figure was recorded against its limit, with the figures as a table', () => {
    const envelopes = [
      ...withJourneyAttachments(cck('retry'), (name) =>
        name === failing ? [{ ...wentThrough, segment: 'b2c' }] : undefined,
      ),
      figuresEnvelope({ 'created_to_priced_ms.b2c': [300, 900, 7000] }),
    ];
    const policy: Policy = {
      ...defaultPolicy,
      budgets: [
        { figure: 'created_to_priced_ms.b2c', statistic: 'p95', max: 4000 },
        { figure: 'mes.list_ms', statistic: 'p95', max: 500, ifRecorded: true },
      ],
    };
    const html = pageOf(envelopes, judge(envelopes, policy));
    const section = /<section aria-labelledby="budgets">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
    const titles = [...section.matchAll(/<title id="budget-\d+-title">([^<]*)<\/title>/g)].map((m) => m[1]);
    assert.deepEqual(titles, ['created_to_priced_ms.b2c: p95 7000 over the budget of 4000 (3 samples)']);
    const rows = [...section.matchAll(/<tr>(<td[\s\S]*?)<\/tr>/g)].map((row) =>
      [...(row[1] ?? '').matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((cell) => asText(cell[1] ?? '')),
    );
    assert.deepEqual(rows, [['created_to_priced_ms.b2c', 'p95', '7000', '4000', '3', 'no: over']]);
    // The B2C order's journey (1.02 s) has its segment's budget drawn across it.
    const failed = scenarioBlocks(html).find((block) => asText(block.name) === failing);
    assert.match(failed?.body ?? '', /<line data-budget="created_to_priced_ms\.b2c p95"/);
  });

  it('keeps names from feature files and configurations as text', () => {
    const evil = '<script>alert(1)</script> & "quotes" \'too\' <img src=x onerror=alert(2)>';
    const envelopes = withJourneyAttachments(
      cck('retry').map((envelope) =>
        envelope.pickle?.name === failing ? { pickle: { ...envelope.pickle, name: evil } } : envelope,
      ),
      (name) => (name === evil ? [hostile] : undefined),
    );
    const html = pageOf(envelopes);
    assert.doesNotMatch(html, /<script|<img|onerror=alert\(2\)>/);
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;too&#39;'));
    const block = scenarioBlocks(html).find((each) => asText(each.name) === evil);
    assert.ok(block, 'the scenario is there under its own name');
    assert.match(block.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; `x`/);
    assert.ok(!html.includes(hostileHop), 'the hostile hop never appears raw');
  });

  it('refers to nothing outside itself: no script, no stylesheet, no image or link to a URL', () => {
    const envelopes = withJourneyAttachments(cck('retry'), () => [stopped, wentThrough, hostile]);
    const html = pageOf(envelopes);
    assert.doesNotMatch(html, /<(script|link|img|iframe|object|embed|base)\b/i);
    assert.doesNotMatch(html, /\b(src|href|action|poster)\s*=\s*["']?\s*(https?:|\/\/|javascript:)/i);
    assert.doesNotMatch(html, /url\(\s*["']?\s*(https?:|\/\/)/i);
    assert.doesNotMatch(html, /@import/i);
    // What remains of http is the SVG namespace, a name and never fetched.
    assert.deepEqual(
      [...new Set(html.match(/https?:\/\/[^\s"'<>]*/g) ?? [])],
      ['http://www.w3.org/2000/svg'],
    );
  });
});

describe('writeReportPage', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mes-e2e-report-page-'));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The retry sample, its failed scenario's final attempt saving a trace as the UI evidence hook does. */
  function withTrace(trace: string): Envelope[] {
    const envelopes = cck('retry');
    const pickleId = envelopes.find((e) => e.pickle?.name === failing)?.pickle?.id;
    const testCaseId = envelopes.find((e) => e.testCase?.pickleId === pickleId)?.testCase?.id;
    const last = envelopes.findLastIndex((e) => e.testCaseStarted?.testCaseId === testCaseId);
    const startedId = envelopes[last]?.testCaseStarted?.id ?? '';
    const note: Envelope = {
      attachment: {
        testCaseStartedId: startedId,
        fileName: 'trace.txt',
        mediaType: 'text/plain',
        contentEncoding: AttachmentContentEncoding.IDENTITY,
        body: `Playwright trace: /ci/reports/run-7/artifacts/${trace}\nOpen it with: npx playwright show-trace /ci/reports/run-7/artifacts/${trace}`,
      },
    };
    return [...envelopes.slice(0, last + 1), note, ...envelopes.slice(last + 1)];
  }

  it("links the final attempt's trace relatively when it is in artifacts/, and the reports beside it", async () => {
    const run = join(dir, 'run-7');
    await mkdir(join(run, 'artifacts'), { recursive: true });
    await writeFile(join(run, 'artifacts', 'fails-1234abcd-trace.zip'), 'zip');
    await writeFile(join(run, 'cucumber.html'), '<html></html>');
    const envelopes = withTrace('fails-1234abcd-trace.zip');
    const verdict = judge(envelopes);
    const file = await writeReportPage(run, pageVerdictOf(verdict), [{ envelopes, dir: run }], {
      runId: 'run-7',
      writtenBeside: ['gate.json'],
    });
    assert.equal(file, join(run, 'report.html'));
    const html = await readFile(file, 'utf8');
    assert.match(html, /<a href="artifacts\/fails-1234abcd-trace\.zip">fails-1234abcd-trace\.zip<\/a>/);
    assert.match(
      html,
      /Beside this page: <a href="gate\.json">gate\.json<\/a>, <a href="cucumber\.html">cucumber\.html<\/a>\./,
    );

    // From a gate's folder beside the run, the same trace is one folder up; one that is gone is not linked.
    const gateDir = join(dir, 'gate');
    await mkdir(gateDir);
    const fromGate = await readFile(
      await writeReportPage(gateDir, pageVerdictOf(verdict), [{ envelopes, dir: run }], { runId: 'run-7' }),
      'utf8',
    );
    assert.match(fromGate, /<a href="\.\.\/run-7\/artifacts\/fails-1234abcd-trace\.zip">/);
    const gone = withTrace('gone-trace.zip');
    const withoutIt = await readFile(
      await writeReportPage(gateDir, pageVerdictOf(judge(gone)), [{ envelopes: gone, dir: run }], {
        runId: 'run-7',
      }),
      'utf8',
    );
    assert.doesNotMatch(withoutIt, /gone-trace|Playwright trace:/);
  });

  it('rebuilds from gate.json and the messages the same page the run wrote', async () => {
    const run = join(dir, 'rebuilt');
    await mkdir(run);
    const envelopes = [
      ...withJourneyAttachments(cck('retry'), (name) =>
        name === failing ? [{ ...wentThrough, segment: 'b2c' }] : undefined,
      ),
      figuresEnvelope({ 'mes.list_ms': [12, 14, 30] }),
    ];
    // One budget recorded, one not (gate.json then says null for its value).
    const budgets = [
      { figure: 'mes.list_ms', statistic: 'p95' as const, max: 500 },
      { figure: 'created_to_priced_ms.b2b', statistic: 'p95' as const, max: 20_000, ifRecorded: true },
    ];
    const verdict = judge(envelopes, { ...defaultPolicy, budgets });
    await writeGateJson(run, verdict, { runId: 'run-7' });
    const written = await readFile(
      await writeReportPage(run, pageVerdictOf(verdict), [{ envelopes, dir: run }], { runId: 'run-7' }),
      'utf8',
    );
    const fromFile = readGateJson(join(run, 'gate.json'));
    assert.deepEqual(fromFile.sources, ['messages.ndjson']);
    const rebuilt = await readFile(
      await writeReportPage(run, fromFile, [{ envelopes, dir: run }], { runId: fromFile.runId }),
      'utf8',
    );
    assert.equal(rebuilt, written);
    assert.match(rebuilt, /<title id="budget-1-title">mes\.list_ms: p95 30 within the budget of 500/);
  });

  it("shows what gate.json says when the messages are gone, and refuses a file that is not mes-e2e's verdict", async () => {
    const run = join(dir, 'no-messages');
    await mkdir(run);
    const verdict = judge(cck('retry'));
    await writeGateJson(run, verdict, { runId: 'run-7' });
    const html = await readFile(
      await writeReportPage(run, readGateJson(join(run, 'gate.json')), [], {
        runId: 'run-7',
        notes: ['the messages are not here'],
      }),
      'utf8',
    );
    assert.equal(scenarioBlocks(html).length, 4);
    assert.match(html, /<p class="note">the messages are not here<\/p>/);
    assert.match(html, /not in the messages found/);
    await writeFile(join(run, 'other.json'), '{"verdict": "PROMOTE"}');
    assert.throws(() => readGateJson(join(run, 'other.json')), /is not a verdict of mes-e2e/);
  });

  it('is written by every run beside summary.md, and one that cannot be written takes no other report down', async () => {
    const envelopes = cck('retry');
    const verdict = judge(envelopes);
    const info = { runId: 'run-7', durationMs: 1500, environment: {} };
    const run = join(dir, 'every-run');
    await mkdir(run);
    assert.deepEqual(await writeRunReports(envelopes, verdict, { ...info, reportDir: run }), []);
    const html = await readFile(join(run, 'report.html'), 'utf8');
    assert.match(html, /took 1\.5 s/);
    assert.match(html, /<a href="summary\.md">summary\.md<\/a>, <a href="gate\.json">gate\.json<\/a>/);

    const blocked = join(dir, 'blocked');
    await mkdir(join(blocked, 'report.html'), { recursive: true });
    const problems = await writeRunReports(envelopes, verdict, { ...info, reportDir: blocked });
    assert.equal(problems.length, 1);
    assert.match(problems[0] ?? '', /^report\.html: /);
    assert.match(await readFile(join(blocked, 'summary.md'), 'utf8'), /BLOCK/);
    assert.match(await readFile(join(blocked, 'gate.json'), 'utf8'), /"verdict": "BLOCK"/);
  });
});
