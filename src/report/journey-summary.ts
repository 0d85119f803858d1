// The part of summary.md that shows where failed scenarios' orders stopped: for each (a few at most,
// GitHub cuts a step summary at 1 MiB), one order's journey as a Mermaid chart GitHub draws.
import { timelineOf } from '../journey/timeline.ts';
import type { ScenarioJourneys } from './failed-journeys.ts';
import { journeyGantt } from './journey-mermaid.ts';
import { inline } from './markdown.ts';

/** Each chart is a few kilobytes at most (30 hops); five keep the summary far from GitHub's limit. */
export const MAX_JOURNEY_CHARTS = 5;

export function journeysSection(scenarios: readonly ScenarioJourneys[]): string {
  if (scenarios.length === 0) return '';
  const shown = scenarios.slice(0, MAX_JOURNEY_CHARTS).map(scenarioChart);
  const more = scenarios.length - shown.length;
  return [
    '### Where the orders of failed scenarios stopped',
    ...shown,
    ...(more > 0 ? ['', `…and ${more} more failed scenarios: see journey.svg in the report.`] : []),
  ].join('\n');
}

/** The first order that stopped (else the first order): one chart per scenario is enough to start from. */
function scenarioChart({ name, uri, line, journeys }: ScenarioJourneys): string {
  const timelines = journeys.map(timelineOf);
  const index = Math.max(
    0,
    timelines.findIndex((timeline) => timeline.stoppedBefore),
  );
  const journey = journeys[index] as ScenarioJourneys['journeys'][number];
  const timeline = timelines[index];
  const where = timeline?.stoppedBefore
    ? `stopped before **${inline(timeline.stoppedBefore.hop)}** (${inline(timeline.stoppedBefore.component)})`
    : 'went through every hop that could be seen';
  const of = journeys.length > 1 ? ` (${index + 1} of ${journeys.length} orders)` : '';
  return [
    '',
    `**${inline(name || '(unnamed)')}** (${inline(`${uri}:${line}`)}): order ${inline(journey.orderId)}${of} ${where}`,
    '',
    '```mermaid',
    journeyGantt(journey),
    '```',
  ].join('\n');
}
