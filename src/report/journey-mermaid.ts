// One order's journey as a Mermaid gantt chart, which GitHub draws in a job summary: a section per
// component, a bar per hop from the hop seen before it to its own moment, and the stop marked in red.
import type { AttachedJourney } from '../journey/attached-journey.ts';
import {
  type OrderTimeline,
  outcomeText,
  signedMs,
  type TimelineHop,
  timelineOf,
} from '../journey/timeline.ts';

/** Hops beyond this are left out: a journey description that long would not be read in a summary. */
const MAX_HOPS = 30;
const MAX_NAME = 60;

/**
 * Text from a team's configuration, made plain for Mermaid: letters, digits and a few harmless marks
 * stay; anything Mermaid reads as syntax (`:` `;` `#` `%` quotes, brackets, backticks, `<`, `&`, line
 * breaks) becomes a space. Never empty: an empty task name would not parse.
 */
export function mermaidText(text: string, max = MAX_NAME): string {
  const plain = text
    .normalize('NFC')
    .replace(/[^\p{L}\p{M}\p{N} ._\-()/+,=@!?]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const clipped = plain.length > max ? `${plain.slice(0, max - 1).trimEnd()}…` : plain;
  return clipped === '' ? '?' : clipped;
}

export function journeyGantt(journey: AttachedJourney): string {
  const timeline = timelineOf(journey);
  const hops = timeline.hops.slice(0, MAX_HOPS);
  const when = momentsOf(hops);
  const title = mermaidText(`Order ${timeline.orderId}: ${outcomeText(timeline)}`, 160);
  return [
    'gantt',
    `  accTitle: ${mermaidText(`Journey of order ${timeline.orderId}`, 160)}`,
    `  accDescr: ${mermaidText(describe(timeline), 400)}`,
    `  title ${title}`,
    // Epoch milliseconds from the earliest moment: only seconds and milliseconds are shown, which no
    // time zone shifts.
    '  dateFormat x',
    '  axisFormat %S.%L s',
    '  todayMarker off',
    ...timeline.lanes.flatMap((lane) => [
      `  section ${mermaidText(lane)}`,
      ...hops.flatMap((hop, index) => (hop.component === lane ? [task(hop, index, when)] : [])),
    ]),
    ...(timeline.hops.length > hops.length
      ? [`  section ${timeline.hops.length - hops.length} more hops`, `  left out :milestone, more, 0, 0`]
      : []),
  ].join('\n');
}

type Span = { start: number; end: number };

/**
 * Where each hop's bar runs, in ms from the earliest moment: a seen hop from the hop seen before it to
 * its own moment; one not seen is a mark where the order was last seen, since it has no moment of its own.
 */
function momentsOf(hops: readonly TimelineHop[]): Span[] {
  const origin = Math.min(0, ...hops.flatMap((hop) => hop.afterMs ?? []));
  let last = 0;
  return hops.map((hop) => {
    if (hop.afterMs === undefined) return { start: last, end: last };
    const at = hop.afterMs - origin;
    const from = hop.gapMs === undefined ? at : at - hop.gapMs;
    last = at;
    return { start: Math.min(from, at), end: Math.max(from, at) };
  });
}

function task(hop: TimelineHop, index: number, spans: readonly Span[]): string {
  const { start, end } = spans[index] as Span;
  const name = mermaidText(hop.hop);
  const [label, tags] = taskLabel(hop, name);
  const marks = start === end ? [...tags, 'milestone'] : tags;
  return `  ${index + 1}. ${label} :${[...marks, `h${index + 1}`, String(start), String(end)].join(', ')}`;
}

/** The task's words and Mermaid's tags for it: red for the stop, grey for what came after. */
function taskLabel(hop: TimelineHop, name: string): [string, string[]] {
  switch (hop.status) {
    case 'seen':
      return [hop.gapMs === undefined ? name : `${name} ${signedMs(hop.gapMs)}`, []];
    case 'stopped here':
      return [`STOPPED before ${name}`, ['crit']];
    case 'unknown':
      return [`${name} (unknown)`, ['active']];
    default:
      return [`${name} (not reached)`, ['done']];
  }
}

function describe(timeline: OrderTimeline): string {
  const seen = timeline.hops.filter((hop) => hop.status === 'seen').length;
  return `${seen} of ${timeline.hops.length} hops seen, ${outcomeText(timeline)}`;
}
