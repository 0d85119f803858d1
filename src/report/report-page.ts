// report.html: a run on one self-contained page that opens from a CI artifact with no server, no
// Java, no script and no network: the verdict and every reason, the counts, each budget against its figures, then every scenario (those
// to look at first) with why it did not pass and its order journeys as a picture and a table.
import { type BudgetPlot, budgetPlotSvg } from '../charts/budget-plot.ts';
import type { Counts } from '../gate/verdict.ts';
import { escapeMarkup as esc } from '../journey/markup.ts';
import { type BudgetLimit, journeyBudgetsOf } from '../journey/timeline.ts';
import { journeySvg } from '../journey/timeline-svg.ts';
import { journeyTables } from '../journey/timeline-table.ts';
import type { PageScenario } from './page-scenarios.ts';
import { COUNT_COLUMNS } from './summary.ts';

export const reportPageFileName = 'report.html';

export interface ReportPage {
  runId: string;
  verdict: 'PROMOTE' | 'BLOCK';
  reasons: readonly string[];
  /** What broke in the environment: the run proves nothing about the product. */
  compromised: readonly string[];
  counts: Counts;
  scenarios: readonly PageScenario[];
  startedAt?: string | undefined;
  durationMs?: number | undefined;
  /** What the page could not show, or where its verdict came from when not from the run. */
  notes?: readonly string[];
  /** The other reports beside the page, by relative link. */
  links?: ReadonlyArray<{ href: string; text: string }>;
  /** Each budget whose figure was recorded, against its samples. */
  budgets?: readonly BudgetPlot[];
}

/** Assertion diffs can run to pages; the rest is in cucumber.html and the messages. */
const MAX_MESSAGE = 4000;

const style = [
  'body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:15px;line-height:1.45;color:#212121;margin:0 auto;padding:1em 1.5em 3em;max-width:1100px}',
  'h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin:1.6em 0 .5em}',
  '.verdict{display:inline-block;padding:.1em .5em;border-radius:4px;color:#fff;font-weight:bold}',
  '.PROMOTE{background:#2e7d32}.BLOCK{background:#c62828}',
  '.note{background:#fff8e1;border-left:4px solid #ff8f00;padding:.5em 1em}',
  '.broke{background:#ffebee;border-left:4px solid #c62828;padding:.5em 1em}',
  'table{border-collapse:collapse;margin:.5em 0 1em}',
  'caption{text-align:left;font-weight:bold;padding:.3em 0}',
  'th,td{border:1px solid #bdbdbd;padding:.25em .6em;text-align:left;vertical-align:top}',
  'table.counts td{text-align:right;font-variant-numeric:tabular-nums}',
  'td.ms{text-align:right;font-variant-numeric:tabular-nums}',
  'tr.stopped-here{background:#ffebee;color:#b71c1c;font-weight:bold}',
  'tr.unknown{font-style:italic}tr.not-reached{color:#757575}',
  '.badge{display:inline-block;min-width:5.5em;padding:0 .4em;border-radius:3px;font-size:.85em;font-weight:bold;text-align:center;border:1px solid}',
  '.badge.fail{color:#b71c1c;background:#ffebee;border-color:#ef9a9a}',
  '.badge.flaky{color:#8a4b00;background:#fff3e0;border-color:#ffcc80}',
  '.badge.skip{color:#424242;background:#f5f5f5;border-color:#bdbdbd}',
  '.badge.pass{color:#1b5e20;background:#e8f5e9;border-color:#a5d6a7}',
  'nav ol{padding-left:1.5em}nav li{margin:.15em 0}',
  'details.scenario{border:1px solid #e0e0e0;border-left-width:6px;border-radius:4px;margin:.6em 0;padding:.3em .8em}',
  'details.fail{border-left-color:#c62828}details.flaky{border-left-color:#ff8f00}',
  'details.skip{border-left-color:#9e9e9e}details.pass{border-left-color:#2e7d32}',
  'details.scenario>summary{cursor:pointer;padding:.2em 0}',
  '.where{color:#616161;font-family:ui-monospace,monospace;font-size:.9em}',
  'pre{white-space:pre-wrap;word-break:break-word;background:#fafafa;border:1px solid #e0e0e0;padding:.6em;font-size:.88em}',
  'dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.1em 1em;margin:.5em 0}dl.facts dt{font-weight:bold}dl.facts dd{margin:0}',
  'figure{margin:.8em 0;overflow-x:auto}svg{max-width:100%;height:auto}',
].join('\n');

export function reportPageHtml(page: ReportPage): string {
  const numbered = page.scenarios.map((scenario, index) => ({ scenario, id: `scenario-${index + 1}` }));
  // Those that block first, then those that did not run, then flaky and quarantined ones.
  const toLook = numbered
    .filter(({ scenario }) => needsALook(scenario))
    .toSorted((a, b) => rank[kindOf(a.scenario)] - rank[kindOf(b.scenario)]);
  const passed = numbered.filter(({ scenario }) => !needsALook(scenario));
  const title = `${page.verdict}: mes-e2e run ${page.runId}`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>\n${style}\n</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1><span class="verdict ${page.verdict}">${page.verdict}</span> mes-e2e run ${esc(page.runId)}</h1>`,
    runLine(page),
    ...(page.notes ?? []).map((note) => `<p class="note">${esc(note)}</p>`),
    compromisedNote(page.compromised),
    reasonsSection(page),
    countsTable(page.counts),
    linksLine(page.links ?? []),
    '</header>',
    budgetsSection(page.budgets ?? []),
    contents(toLook, passed),
    '<main>',
    group('to-look', `Scenarios to look at (${toLook.length})`, toLook, true, page.budgets ?? []),
    group('passed', `Passed (${passed.length})`, passed, false, page.budgets ?? []),
    page.scenarios.length === 0 ? '<p>No scenario ran.</p>' : '',
    '</main>',
    '<footer><p>Written by mes-e2e from the run’s messages and its verdict. Every other report of the run tells the same story; this one needs no server, no script and no network.</p></footer>',
    '</body>',
    '</html>',
    '',
  ]
    .filter((part) => part !== '')
    .join('\n');
}

/** Everything that did not simply pass, a flaky pass included: it hid a failure. */
const needsALook = (scenario: PageScenario) =>
  scenario.status !== 'PASSED' || scenario.flaky || scenario.unfinished || scenario.attempts === 0;

type Numbered = { scenario: PageScenario; id: string };

function runLine(page: ReportPage): string {
  const parts = [
    ...(page.startedAt ? [`started ${page.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}`] : []),
    ...(page.durationMs === undefined ? [] : [`took ${duration(page.durationMs)}`]),
    `${page.counts.scenarios} scenario${page.counts.scenarios === 1 ? '' : 's'}`,
  ];
  return `<p>${esc(parts.join(' · '))}</p>`;
}

function compromisedNote(compromised: readonly string[]): string {
  if (compromised.length === 0) return '';
  return [
    '<div class="broke">',
    '<p><strong>The environment broke during the run, so this is not a product failure:</strong> the run proves nothing about the product and is not promoted. Fix or rerun the environment, then run again.</p>',
    `<ul>${compromised.map((problem) => `<li>${esc(problem)}</li>`).join('')}</ul>`,
    '</div>',
  ].join('\n');
}

function reasonsSection(page: ReportPage): string {
  if (page.reasons.length === 0)
    return page.verdict === 'PROMOTE' ? '<p>Nothing blocks: every rule of the policy holds.</p>' : '';
  return [
    `<h2 id="reasons">${page.verdict === 'BLOCK' ? 'Why it blocks' : 'Reasons'}</h2>`,
    `<ul>${page.reasons.map((reason) => `<li>${esc(reason)}</li>`).join('\n')}</ul>`,
  ].join('\n');
}

function countsTable(counts: Counts): string {
  return [
    '<table class="counts">',
    '<caption>Counts</caption>',
    `<thead><tr>${COUNT_COLUMNS.map((column) => `<th scope="col">${column}</th>`).join('')}</tr></thead>`,
    `<tbody><tr>${COUNT_COLUMNS.map((column) => `<td>${counts[column]}</td>`).join('')}</tr></tbody>`,
    '</table>',
    ...(counts.flaky > 0
      ? ['<p>Flaky scenarios passed only on a retry; they are also counted as passed (or quarantined).</p>']
      : []),
  ].join('\n');
}

/** Each budget as a picture and, for a screen reader or a copy, the same figures as a table. */
function budgetsSection(plots: readonly BudgetPlot[]): string {
  if (plots.length === 0) return '';
  const rows = plots.map((plot) => {
    const judged = plot.bars.find((bar) => bar.judged);
    return `<tr><td>${esc(plot.figure)}</td><td>${esc(plot.statistic)}</td><td class="ms">${judged?.value ?? ''}</td><td class="ms">${plot.max}</td><td class="ms">${plot.samples}</td><td>${plot.ok ? 'yes' : 'no: over'}</td></tr>`;
  });
  return [
    '<section aria-labelledby="budgets">',
    '<h2 id="budgets">Budgets</h2>',
    ...plots.map((plot, index) => `<figure>${budgetPlotSvg(plot, `budget-${index + 1}`)}</figure>`),
    '<table>',
    '<caption>Budgets against the recorded figures</caption>',
    '<thead><tr><th scope="col">Figure</th><th scope="col">Statistic</th><th scope="col">Measured</th><th scope="col">Limit</th><th scope="col">Samples</th><th scope="col">Holds</th></tr></thead>',
    `<tbody>${rows.join('')}</tbody>`,
    '</table>',
    '</section>',
  ].join('\n');
}

function linksLine(links: ReadonlyArray<{ href: string; text: string }>): string {
  if (links.length === 0) return '';
  const items = links.map(({ href, text }) => `<a href="${esc(href)}">${esc(text)}</a>`);
  return `<p>Beside this page: ${items.join(', ')}.</p>`;
}

function contents(toLook: readonly Numbered[], passed: readonly Numbered[]): string {
  if (toLook.length + passed.length === 0) return '';
  const item = ({ scenario, id }: Numbered) =>
    `<li><a href="#${id}">${esc(scenario.name || '(unnamed)')}</a> ${badge(scenario)}</li>`;
  return [
    '<nav aria-labelledby="contents">',
    '<h2 id="contents">Contents</h2>',
    ...(toLook.length > 0 ? [`<p>To look at:</p><ol>${toLook.map(item).join('\n')}</ol>`] : []),
    ...(passed.length > 0 ? [`<p>Passed:</p><ol>${passed.map(item).join('\n')}</ol>`] : []),
    '</nav>',
  ].join('\n');
}

function group(
  id: string,
  heading: string,
  scenarios: readonly Numbered[],
  open: boolean,
  limits: readonly BudgetLimit[],
): string {
  if (scenarios.length === 0) return '';
  return [
    `<section aria-labelledby="${id}">`,
    `<h2 id="${id}">${esc(heading)}</h2>`,
    ...scenarios.map((each) => scenarioBlock(each, open, limits)),
    '</section>',
  ].join('\n');
}

const rank: Readonly<Record<ReturnType<typeof kindOf>, number>> = { fail: 0, skip: 1, flaky: 2, pass: 3 };

/** Failed, flaky, not run, passed: the kind sets the colour, the badge's words say the same. */
function kindOf(scenario: PageScenario): 'fail' | 'flaky' | 'skip' | 'pass' {
  if (scenario.flaky) return 'flaky';
  if (scenario.quarantine === 'quarantined' && scenario.status !== 'PASSED') return 'flaky';
  if (scenario.notRun !== undefined || scenario.status === 'SKIPPED') return 'skip';
  if (scenario.attempts === 0 && !scenario.inMessages) return 'skip';
  return needsALook(scenario) ? 'fail' : 'pass';
}

function resultText(scenario: PageScenario): string {
  if (scenario.notRun !== undefined) return 'NOT RUN';
  if (scenario.attempts === 0) return 'NOT STARTED';
  if (scenario.unfinished) return 'INTERRUPTED';
  if (scenario.flaky) return 'FLAKY';
  return scenario.status;
}

function badge(scenario: PageScenario): string {
  const quarantined = scenario.quarantine === 'quarantined' ? ' · QUARANTINED' : '';
  return `<span class="badge ${kindOf(scenario)}">${resultText(scenario)}${quarantined}</span>`;
}

/** What the status means for the verdict, in words. */
function statusLine(scenario: PageScenario): string {
  const result = (() => {
    if (scenario.notRun !== undefined) return `not run: ${scenario.notRun}`;
    if (scenario.attempts === 0) return 'never started';
    if (scenario.unfinished) return 'interrupted: it started and never finished';
    if (scenario.flaky) return `flaky: passed on attempt ${scenario.attempts} after failing`;
    return scenario.attempts > 1 ? `${scenario.status} after ${scenario.attempts} attempts` : scenario.status;
  })();
  const standing = (() => {
    switch (scenario.quarantine) {
      case 'quarantined':
        return '; quarantined: it does not block';
      case 'expired':
        return '; its quarantine expired: it blocks';
      case 'critical':
        return '; quarantined but required (needs quarantine.allowCritical): it blocks';
      case 'bare-tag':
        return '; tagged for quarantine with no quarantine entry: it blocks';
      default:
        return '';
    }
  })();
  return `${result}${standing}`;
}

function scenarioBlock({ scenario, id }: Numbered, open: boolean, limits: readonly BudgetLimit[]): string {
  const name = esc(scenario.name || '(unnamed)');
  const where = esc(`${scenario.uri}:${scenario.line}`);
  const took = scenario.durationMs === undefined ? '' : ` · ${esc(duration(scenario.durationMs))}`;
  return [
    `<details class="scenario ${kindOf(scenario)}" id="${id}"${open ? ' open' : ''}>`,
    `<summary>${badge(scenario)} <strong>${name}</strong> <span class="where">${where}</span>${took}</summary>`,
    facts(scenario),
    failure(scenario),
    traces(scenario),
    journeys(scenario, id, limits),
    '</details>',
  ]
    .filter((part) => part !== '')
    .join('\n');
}

function facts(scenario: PageScenario): string {
  const rows: Array<[string, string]> = [
    ['Status', statusLine(scenario)],
    ['Feature file', `${scenario.uri}:${scenario.line}`],
    ...(scenario.durationMs === undefined
      ? []
      : ([['Took', `${duration(scenario.durationMs)} (final attempt)`]] as Array<[string, string]>)),
    ...(scenario.tags.length > 0 ? ([['Tags', scenario.tags.join(' ')]] as Array<[string, string]>) : []),
    ...(scenario.inMessages
      ? []
      : ([['Details', 'not in the messages found: only the verdict’s word']] as Array<[string, string]>)),
  ];
  return `<dl class="facts">${rows.map(([term, value]) => `<dt>${term}</dt><dd>${esc(value)}</dd>`).join('')}</dl>`;
}

function failure(scenario: PageScenario): string {
  if (scenario.message === undefined || scenario.notRun !== undefined) return '';
  const at = scenario.step
    ? `<p>${scenario.flaky ? 'Failed earlier at' : 'At'} ${esc(scenario.step)}:</p>`
    : '';
  const text =
    scenario.message.length > MAX_MESSAGE
      ? `${scenario.message.slice(0, MAX_MESSAGE)}\n… (cut here: the whole message is in cucumber.html)`
      : scenario.message;
  return `${at}<pre>${esc(text)}</pre>`;
}

function traces(scenario: PageScenario): string {
  if (scenario.traces.length === 0) return '';
  const links = scenario.traces.map(({ name, href }) => `<a href="${esc(href)}">${esc(name)}</a>`);
  return `<p>Playwright trace: ${links.join(', ')} (open it with <code>npx playwright show-trace</code>).</p>`;
}

function journeys(scenario: PageScenario, id: string, limits: readonly BudgetLimit[]): string {
  if (scenario.journeys.length === 0) return '';
  const count = scenario.journeys.length;
  return [
    `<section aria-label="${esc(`Order journeys of ${scenario.name || '(unnamed)'}`)}">`,
    `<h3>Order journeys (${count} order${count === 1 ? '' : 's'})</h3>`,
    `<figure>${journeySvg(scenario.journeys, { idPrefix: `${id}-journeys`, budgets: journeyBudgetsOf(limits, scenario.journeys) })}</figure>`,
    journeyTables(scenario.journeys),
    '</section>',
  ].join('\n');
}

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
