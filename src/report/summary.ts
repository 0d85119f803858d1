// Renders a verdict as the short markdown a CI maintainer reads in $GITHUB_STEP_SUMMARY (and summary.md).

import { type BudgetPlot, budgetPlotsOf } from '../charts/budget-plot.ts';
import type { BudgetCheck } from '../gate/coverage.ts';
import type { HistoryReport } from '../gate/history.ts';
import type { JudgedScenario, QuarantineReport } from '../gate/quarantine.ts';
import type { GateVerdict } from '../gate/results.ts';
import type { TestedComponent } from '../gate/run-identity.ts';
import type { Tested } from '../gate/tested.ts';
import type { Counts } from '../gate/verdict.ts';
import type { ViolationReport } from '../gate/wire-rules.ts';
import { budgetPlotMermaid } from './budget-mermaid.ts';
import type { ScenarioJourneys } from './failed-journeys.ts';
import { historySection } from './history-summary.ts';
import { journeysSection } from './journey-summary.ts';
import { cell, inline, row } from './markdown.ts';

export type SummaryInfo = {
  runId: string;
  durationMs?: number;
  reportDir?: string;
  /** What earlier runs say about this run's scenarios, when the gate was given them. */
  history?: HistoryReport;
  /** The order journeys the failed scenarios attached (failedScenarioJourneys), drawn as charts. */
  journeys?: readonly ScenarioJourneys[];
};

/** GitHub cuts a step summary at 1 MiB; a run with thousands of failures still needs to fit. */
const MAX_ROWS = 50;
const MAX_MESSAGE = 200;
/** A reason names the scenario, its place and its failure: longer than a table cell's message. */
const MAX_REASON = 1000;
/** Each chart is a few hundred bytes; a policy of many budgets keeps its table whole. */
const MAX_BUDGET_CHARTS = 12;

/** The counts every report shows, in the order they show them. */
export const COUNT_COLUMNS: readonly (keyof Counts)[] = [
  'scenarios',
  'passed',
  'failed',
  'flaky',
  'undefined',
  'pending',
  'ambiguous',
  'skipped',
  'quarantined',
  'unfinished',
  'unknown',
];

export function summaryMarkdown(verdict: SummaryVerdict, info: SummaryInfo): string {
  const sections = [
    heading(verdict, info),
    runLine(info),
    compromisedNote(verdict.compromised),
    countsTable(verdict.counts),
    reasonsList(verdict.reasons),
    budgetsTable(verdict.budgets),
    budgetCharts(budgetPlotsOf(verdict.budgets), info.history?.budgetsBefore),
    violationsTable(verdict.violations),
    scenariosTable(verdict.scenarios),
    journeysSection(info.journeys ?? []),
    quarantineTable(verdict.quarantine),
    info.history ? historySection(info.history) : '',
    testedSection(verdict.tested),
  ];
  return `${sections.filter((section) => section !== '').join('\n\n')}\n`;
}

type SummaryVerdict = Pick<
  GateVerdict,
  'verdict' | 'reasons' | 'counts' | 'scenarios' | 'budgets' | 'compromised' | 'violations' | 'quarantine'
> &
  Partial<Pick<GateVerdict, 'tested'>>;

/** What the verdict vouches for: a promotion copies exactly these images. */
function testedSection(tested: Tested | undefined): string {
  if (!tested) return '';
  const facts = [
    `commit ${inline(tested.commit ?? 'not recorded')}`,
    ...(tested.ci ? [`CI run ${inline(tested.ci.runId)} (attempt ${tested.ci.attempts.join(', ')})`] : []),
    ...(tested.scenarioSet
      ? [`${tested.scenarioSet.count} scenarios selected (sha256 ${tested.scenarioSet.sha256.slice(0, 12)})`]
      : []),
    ...(tested.configSha256 ? [`configuration sha256 ${tested.configSha256.slice(0, 12)}`] : []),
  ];
  const components = (tested.components ?? []).map((component) =>
    row([inline(component.name), ...ranAs(component)]),
  );
  return [
    '### What was tested',
    '',
    facts.join(' · '),
    ...(components.length > 0
      ? ['', row(['Component', 'Ran', 'Digest']), row(['---', '---', '---']), ...components]
      : []),
  ].join('\n');
}

function ranAs(component: TestedComponent): [string, string] {
  switch (component.source) {
    case 'container':
      return [cell(component.image), cell(component.repoDigests.join(', ') || component.imageId)];
    case 'url':
      return [cell(component.url), 'not a container'];
    case 'process':
      return [cell(component.command), 'not a container'];
    default:
      return ['?', cell(component.problem)];
  }
}

function heading(verdict: SummaryVerdict, info: SummaryInfo): string {
  const mark = verdict.verdict === 'PROMOTE' ? '✅' : '❌';
  const broke = verdict.compromised.length > 0 ? ' (environment broke)' : '';
  return `## ${mark} ${verdict.verdict}${broke}: mes-e2e run ${inline(info.runId)}`;
}

/** A broken environment is not a product failure, and the reader must not take it for one. */
function compromisedNote(compromised: readonly string[]): string {
  if (compromised.length === 0) return '';
  return [
    '**The environment broke during the run, so this is not a product failure:** the run proves',
    'nothing about the product and is not promoted (exit 3). Fix or rerun the environment, then run again.',
    '',
    ...compromised.map((problem) => `- ${inline(problem)}`),
  ].join('\n');
}

/** A budget held only when recorded says so when no scenario recorded its figure. */
const budgetHeld = (budget: BudgetCheck): string => {
  if (budget.value === undefined && budget.ok) return '➖ not recorded in this run';
  return budget.ok ? '✅ yes' : '❌ no';
};

/**
 * A percentile plot per budget, the limit as a line: GitHub draws Mermaid in the job summary. With a
 * history, the same plot of the run before follows each one that run recorded too.
 */
function budgetCharts(plots: readonly BudgetPlot[], before: HistoryReport['budgetsBefore']): string {
  if (plots.length === 0) return '';
  const previous = budgetPlotsOf(before?.budgets ?? []);
  const shown = plots.slice(0, MAX_BUDGET_CHARTS);
  const more = plots.length - shown.length;
  const charts = shown
    .flatMap((plot) => {
      const same = previous.find(
        (earlier) => earlier.figure === plot.figure && earlier.statistic === plot.statistic,
      );
      return [
        budgetPlotMermaid(plot),
        ...(same && before ? [budgetPlotMermaid(same, `the run before (${before.run})`)] : []),
      ];
    })
    .join('\n\n');
  return more > 0 ? `${charts}\n\n…and ${more} more budgets: their plots are in report.html.` : charts;
}

/** Every budget the gate checked, with the measured value against its limit. */
function budgetsTable(budgets: readonly BudgetCheck[]): string {
  if (budgets.length === 0) return '';
  return [
    '### Budgets',
    '',
    row(['Figure', 'Statistic', 'Measured', 'Limit', 'Samples', 'Holds']),
    row(['---', '---', '---:', '---:', '---:', '---']),
    ...budgets.map((budget) =>
      row([
        cell(budget.figure),
        budget.statistic,
        budget.value === undefined ? 'not recorded' : String(Math.round(budget.value * 10) / 10),
        String(budget.max),
        String(budget.samples),
        budgetHeld(budget),
      ]),
    ),
  ].join('\n');
}

/** Each kind of violation once, with how often, where, the evidence and the scenarios that ran. */
function violationsTable(violations: readonly ViolationReport[]): string {
  if (violations.length === 0) return '';
  const shown = violations
    .slice(0, MAX_ROWS)
    .map((violation) =>
      row([
        violation.rule,
        cell(violation.where),
        cell(violation.problem),
        String(violation.count),
        cell(clip(violation.evidence ?? '')),
        cell(violation.scenarios.join('; ')),
        violation.blocks ? '❌ blocks' : 'reported',
      ]),
    );
  const more = violations.length - shown.length;
  return [
    '### Contracts on the wire',
    '',
    row(['Rule', 'Where', 'Problem', 'Times', 'Evidence', 'While', 'Effect']),
    row(['---', '---', '---', '---:', '---', '---', '---']),
    ...shown,
    ...(more > 0 ? ['', `…and ${more} more: see gate.json.`] : []),
  ].join('\n');
}

function clip(text: string): string {
  return clipTo(text, MAX_MESSAGE);
}

function clipTo(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function runLine(info: SummaryInfo): string {
  const parts = [
    ...(info.durationMs === undefined ? [] : [`took ${duration(info.durationMs)}`]),
    ...(info.reportDir ? [`report: ${inline(info.reportDir)}`] : []),
  ];
  return parts.join(' · ');
}

function countsTable(counts: Counts): string {
  const table = [
    row(COUNT_COLUMNS),
    row(COUNT_COLUMNS.map(() => '---:')),
    row(COUNT_COLUMNS.map((column) => String(counts[column]))),
  ].join('\n');
  if (counts.flaky === 0) return table;
  return `${table}\n\nFlaky scenarios passed only on a retry; they are also counted as passed (or quarantined).`;
}

/** A broken suite gives a reason per failed scenario: the first ones, whole enough to act on, the rest counted. */
function reasonsList(reasons: readonly string[]): string {
  if (reasons.length === 0) return '';
  const shown = reasons.slice(0, MAX_ROWS).map((reason) => `- ${inline(clipTo(reason, MAX_REASON))}`);
  const more = reasons.length - shown.length;
  return [
    '### Why it blocks',
    '',
    ...shown,
    ...(more > 0 ? ['', `…and ${more} more reasons: every one is in gate.json and report.html.`] : []),
  ].join('\n');
}

/** Everything that did not simply pass: a flaky pass is listed too, since it hid a failure. */
function scenariosTable(scenarios: readonly JudgedScenario[]): string {
  const listed = scenarios.filter(
    (scenario) =>
      scenario.status !== 'PASSED' || scenario.flaky || scenario.unfinished || scenario.attempts === 0,
  );
  if (listed.length === 0) return '';
  const shown = listed
    .slice(0, MAX_ROWS)
    .map((scenario) =>
      row([
        cell(scenario.name || '(unnamed)'),
        cell(`${scenario.uri}:${scenario.line}`),
        statusOf(scenario),
        cell(messageOf(scenario)),
      ]),
    );
  const more = listed.length - shown.length;
  return [
    '### Scenarios to look at',
    '',
    row(['Scenario', 'Where', 'Status', 'Message']),
    row(['---', '---', '---', '---']),
    ...shown,
    ...(more > 0 ? ['', `…and ${more} more: see the report.`] : []),
  ].join('\n');
}

function statusOf(scenario: JudgedScenario): string {
  return `${resultOf(scenario)}${standingOf(scenario)}`;
}

function resultOf(scenario: JudgedScenario): string {
  if (scenario.attempts === 0) return 'NOT STARTED';
  if (scenario.unfinished) return 'INTERRUPTED';
  if (scenario.flaky) return `FLAKY (passed on attempt ${scenario.attempts})`;
  return scenario.attempts > 1 ? `${scenario.status} after ${scenario.attempts} attempts` : scenario.status;
}

/** Whose the scenario is when the quarantine touches it, and why it blocks anyway. */
function standingOf(scenario: JudgedScenario): string {
  const standing = scenario.quarantine;
  switch (standing?.kind) {
    case 'quarantined':
      return `, quarantined (owner ${cell(standing.entry.owner)}, until ${standing.entry.expires}): does not block`;
    case 'expired':
      return `, quarantine expired ${standing.entry.expires} (owner ${cell(standing.entry.owner)}): blocks`;
    case 'critical':
      return `, quarantined by ${cell(standing.entry.owner)} but ${standing.tag} (needs quarantine.allowCritical): blocks`;
    case 'bare-tag':
      return `, tagged ${standing.tag} with no quarantine entry: blocks`;
    default:
      return '';
  }
}

/** Every quarantine entry: whose, why, until when, whether it held in this run and how its scenarios did. */
function quarantineTable(quarantine: QuarantineReport): string {
  if (quarantine.entries.length === 0) return '';
  const rows = quarantine.entries
    .slice(0, MAX_ROWS)
    .map(({ entry, state, scenarios }) =>
      row([
        cell(entry.scenario !== undefined ? `scenario "${entry.scenario}"` : `tag ${entry.tag}`),
        cell(entry.owner),
        cell(clip(entry.reason)) + (entry.link ? ` (${cell(entry.link)})` : ''),
        entry.expires,
        state === 'active' ? 'active' : '⚠️ expired',
        scenarios.length === 0
          ? 'none in this run'
          : cell(
              scenarios
                .map(
                  (each) => `${each.name}: ${each.passed ? (each.flaky ? 'FLAKY' : 'PASSED') : each.status}`,
                )
                .join('; '),
            ),
      ]),
    );
  const more = quarantine.entries.length - rows.length;
  return [
    '### Quarantine',
    '',
    `From ${inline(quarantine.file ?? 'quarantine.yml')}, judged on ${quarantine.judgedOn ?? 'no recorded day'} (the day the run started); at most ${quarantine.max} scenarios at once.`,
    '',
    row(['Entry', 'Owner', 'Reason', 'Expires', 'State', 'Scenarios in this run']),
    row(['---', '---', '---', '---', '---', '---']),
    ...rows,
    ...(more > 0 ? ['', `…and ${more} more: see gate.json.`] : []),
  ].join('\n');
}

/**
 * The message on one line rather than its first line: assertion errors put the substance on
 * the lines after "Expected values to be strictly equal:".
 */
function messageOf(scenario: JudgedScenario): string {
  const clipped = clip(scenario.message ?? '');
  return scenario.step ? `${clipped} (at ${scenario.step})` : clipped;
}

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
