// The part of summary.md that remembers: each scenario's results over the last runs, where a failing
// streak began, and what changed since the last PROMOTE. Short on a big suite: only the scenarios
// that failed or flaked are listed, the rest are counted.
import type { ChangeSincePromote, HistoryReport, ScenarioKey, ScenarioTrend } from '../gate/history.ts';
import { cell, inline, row } from './markdown.ts';

const MAX_ROWS = 50;
const MAX_NAMED = 10;

export function historySection(history: HistoryReport): string {
  const known = history.runs.length;
  return [
    `### History: the last ${known} ${known === 1 ? 'run' : 'runs'} (this one included; the policy looks at ${history.window})`,
    '',
    trendsTable(history.scenarios),
    '',
    changeLines(history.sinceLastPromote),
    ...releasableLines(history),
  ].join('\n');
}

function releasableLines({ releasable = [] }: HistoryReport): string[] {
  if (releasable.length === 0) return [];
  return [
    '',
    `Quarantine entries ready to remove (every scenario they cover passed on its first attempt in each of its last ${releasable[0]?.cleanRuns} runs):`,
    ...releasable.map(
      ({ entry, owner, line }) => `- ${inline(entry)} (line ${line}, owner ${inline(owner)})`,
    ),
  ];
}

const troubled = (trend: ScenarioTrend) => trend.failed > 0 || trend.flaky > 0;

function trendsTable(trends: readonly ScenarioTrend[]): string {
  const listed = trends.filter(troubled);
  const steady = trends.length - listed.length;
  const rest = `${steady} other ${steady === 1 ? 'scenario' : 'scenarios'} passed in every run ${steady === 1 ? 'it was' : 'they were'} in.`;
  if (listed.length === 0) return `No scenario failed or flaked. ${rest}`;
  const shown = listed
    .slice(0, MAX_ROWS)
    .map((trend) =>
      row([
        cell(trend.name || '(unnamed)'),
        cell(trend.uri),
        `${trend.passed}/${trend.ran}`,
        `${trend.failed}/${trend.ran}`,
        `${trend.flaky}/${trend.ran}`,
        cell(failingSince(trend)),
      ]),
    );
  const more = listed.length - shown.length;
  return [
    row(['Scenario', 'Where', 'Passed', 'Failed', 'Flaky', 'Failing since']),
    row(['---', '---', '---:', '---:', '---:', '---']),
    ...shown,
    '',
    `${more > 0 ? `…and ${more} more that failed or flaked: see gate.json. ` : ''}${rest}`,
  ].join('\n');
}

function failingSince(trend: ScenarioTrend): string {
  const since = trend.failingSince;
  if (!since) return '';
  if (since.runs === 1) return 'this run';
  const commit = since.commit ? ` at ${since.commit.slice(0, 12)}` : '';
  return `${since.run}${commit}, ${since.startedAt} (${since.runs} runs)`;
}

function changeLines(change: ChangeSincePromote | undefined): string {
  if (!change)
    return 'No earlier run known was promoted, so there is no change since the last PROMOTE to show.';
  const commit = change.since.commit ? ` at ${change.since.commit.slice(0, 12)}` : '';
  const parts = (
    [
      ['newly failing', change.newlyFailing],
      ['newly flaky', change.newlyFlaky],
      ['added', change.added],
      ['removed', change.removed],
    ] as const
  ).flatMap(([what, scenarios]) => (scenarios.length > 0 ? [`- ${what}: ${named(scenarios)}`] : []));
  const heading = `**Since the last PROMOTE** (${inline(change.since.run)}${inline(commit)}, ${change.since.startedAt}):`;
  return parts.length === 0 ? `${heading} no scenario changed.` : [heading, '', ...parts].join('\n');
}

function named(scenarios: readonly ScenarioKey[]): string {
  const shown = scenarios
    .slice(0, MAX_NAMED)
    .map((scenario) => `${inline(scenario.name)} (${inline(scenario.uri)})`);
  const more = scenarios.length - shown.length;
  return `${shown.join('; ')}${more > 0 ? ` and ${more} more` : ''}`;
}
