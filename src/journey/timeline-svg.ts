// A scenario's order journeys as one self-contained SVG: a lane per component, each hop where it was
// seen in time, the gap since the hop before, unknown hops as unknown, a marked stop, and any budget.
import type { AttachedJourney } from './attached-journey.ts';
import { escapeMarkup as esc } from './markup.ts';
import {
  defaultMaxOrders,
  durationText,
  type HopStatus,
  type OrderTimeline,
  ordersToDraw,
  outcomeText,
  type PictureOptions,
  signedMs,
  type TimelineBudget,
  type TimelineHop,
  timelineOf,
} from './timeline.ts';

const size = {
  margin: 12,
  lanes: 170,
  plot: 560,
  /** Between a hop with no time of its own and the hop before it. */
  step: 44,
  /** Each hop has a row of its own in its lane, so that no two labels meet. */
  row: 22,
  lanePadding: 8,
  heading: 30,
  title: 34,
  axis: 36,
  budgetLabel: 14,
  legend: 30,
};

const colour = {
  seen: '#2e7d32',
  stopped: '#c62828',
  unknown: '#616161',
  notReached: '#9e9e9e',
  gap: '#1565c0',
  budget: '#e65100',
  text: '#212121',
  grid: '#e0e0e0',
  laneBand: '#f5f5f5',
};

const labelLimit = 48;

/** About how wide a text of 11px is: enough to leave room for it, not to measure it. */
const textWidth = (text: string) => text.length * 6.6;

type Point = { x: number; y: number };
type Scale = { x: (ms: number) => number; ticks: number[]; left: number; right: number };
type Lane = { name: string; top: number; height: number };
type Drawn = { timeline: OrderTimeline; top: number; lanes: Lane[]; points: Point[]; bottom: number };

export function journeySvg(journeys: readonly AttachedJourney[], options: PictureOptions = {}): string {
  const budgets = options.budgets ?? [];
  const timelines = ordersToDraw(journeys, options.maxOrders ?? defaultMaxOrders);
  const scale = scaleOf(timelines, budgets);
  const drawn = layOut(timelines, scale);
  const axisTop = drawn.at(-1)?.bottom ?? size.title;
  const width = Math.ceil(widthOf(drawn, scale, budgets));
  const height = axisTop + size.axis + budgets.length * size.budgetLabel + size.legend + size.margin;
  const title = titleOf(journeys, timelines);
  const id = esc(options.idPrefix ?? 'journey');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="${id}-title" aria-describedby="${id}-desc" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
    `<title id="${id}-title">${esc(title)}</title>`,
    `<desc id="${id}-desc">${esc(descriptionOf(timelines, budgets))}</desc>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${size.margin}" y="22" font-size="15" font-weight="bold" fill="${colour.text}">${esc(clip(title, 120))}</text>`,
    grid(scale, size.title, axisTop),
    ...drawn.map((each) => orderBlock(each, width, scale, budgets)),
    axis(scale, axisTop, budgets),
    legend(axisTop + size.axis + budgets.length * size.budgetLabel, budgets.length > 0),
    '</svg>',
  ].join('\n');
}

/** Wide enough for the plot, every hop's label and every budget's. */
function widthOf(drawn: readonly Drawn[], scale: Scale, budgets: readonly TimelineBudget[]): number {
  const labelEnds = drawn.flatMap(({ timeline, points }) =>
    timeline.hops.map((hop, index) => (points[index]?.x ?? 0) + 14 + textWidth(labelOf(hop))),
  );
  const budgetEnds = budgets.map((budget) => scale.x(budget.ms) + textWidth(budgetText(budget)) / 2);
  return Math.max(scale.right, ...labelEnds, ...budgetEnds) + size.margin;
}

function titleOf(journeys: readonly AttachedJourney[], timelines: readonly OrderTimeline[]): string {
  const [only] = timelines;
  if (journeys.length === 1 && only) return `Journey of order ${only.orderId}: ${outcomeText(only)}`;
  const stopped = journeys.map(timelineOf).filter((timeline) => timeline.stoppedBefore).length;
  const shown = timelines.length < journeys.length ? ` (showing ${timelines.length})` : '';
  return `Journeys of ${journeys.length} orders${shown}: ${stopped} stopped`;
}

/** The picture in words, for a screen reader: the same figures as the table beside it. */
function descriptionOf(timelines: readonly OrderTimeline[], budgets: readonly TimelineBudget[]): string {
  const orders = timelines.map((timeline) => {
    const hops = timeline.hops.map((hop) =>
      hop.status === 'seen'
        ? `${hop.hop} seen at ${signedMs(hop.afterMs ?? 0)}${hop.gapMs === undefined ? '' : ` (gap ${signedMs(hop.gapMs)})`}`
        : `${hop.hop}: ${hop.status}`,
    );
    return `Order ${timeline.orderId} ${outcomeText(timeline)}. Lanes: ${timeline.lanes.join(', ')}. ${hops.join('; ')}.`;
  });
  const limits = budgets.map((budget) => `Budget ${budget.label}: ${durationText(budget.ms)}.`);
  return [...orders, ...limits].join(' ');
}

/** One time axis for every order drawn, from the earliest moment seen (or 0) to the latest or the budget. */
function scaleOf(timelines: readonly OrderTimeline[], budgets: readonly TimelineBudget[]): Scale {
  const times = timelines.flatMap((timeline) => timeline.hops.flatMap((hop) => hop.afterMs ?? []));
  const min = Math.min(0, ...times);
  const max = Math.max(min + 1, ...times, ...budgets.map((budget) => budget.ms));
  const left = size.margin + size.lanes;
  const step = niceStep(max - min);
  const ticks: number[] = [];
  for (let tick = Math.ceil(min / step) * step; tick <= max; tick += step) ticks.push(tick);
  return {
    x: (ms) => round(left + ((ms - min) / (max - min)) * size.plot),
    ticks,
    left,
    right: left + size.plot,
  };
}

/** 1, 2 or 5 times a power of ten, giving about five ticks. */
function niceStep(span: number): number {
  const rough = span / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((factor) => factor * power).find((step) => step >= rough) ?? 10 * power;
}

const round = (value: number) => Math.round(value * 10) / 10;

function layOut(timelines: readonly OrderTimeline[], scale: Scale): Drawn[] {
  let top = size.title;
  return timelines.map((timeline) => {
    const lanes = lanesOf(timeline, top + size.heading);
    // A hop with no time of its own (unknown, stopped, not reached) stands a step after the hop before it.
    let previousX = scale.x(0) - size.step;
    const points = timeline.hops.map((hop, index) => {
      const x = hop.afterMs === undefined ? previousX + size.step : scale.x(hop.afterMs);
      previousX = x;
      const lane = lanes[timeline.lanes.indexOf(hop.component)] as Lane;
      const row = timeline.hops.slice(0, index).filter((before) => before.component === hop.component).length;
      return { x, y: lane.top + size.lanePadding / 2 + row * size.row + size.row / 2 };
    });
    const last = lanes.at(-1);
    const bottom = (last ? last.top + last.height : top + size.heading) + size.margin;
    const drawn = { timeline, top, lanes, points, bottom };
    top = bottom;
    return drawn;
  });
}

function lanesOf(timeline: OrderTimeline, top: number): Lane[] {
  let laneTop = top;
  return timeline.lanes.map((name) => {
    const rows = timeline.hops.filter((hop) => hop.component === name).length;
    const lane = { name, top: laneTop, height: rows * size.row + size.lanePadding };
    laneTop += lane.height + 2;
    return lane;
  });
}

function grid(scale: Scale, top: number, bottom: number): string {
  return scale.ticks
    .map((tick) => {
      const x = scale.x(tick);
      return `<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" stroke="${colour.grid}"/>`;
    })
    .join('\n');
}

function orderBlock(drawn: Drawn, width: number, scale: Scale, budgets: readonly TimelineBudget[]): string {
  const { timeline, top, lanes, points } = drawn;
  const lanesTop = top + size.heading;
  const lanesBottom = drawn.bottom - size.margin;
  const segment = timeline.segment ? ` (${timeline.segment})` : '';
  const heading = `Order ${timeline.orderId}${segment}: ${outcomeText(timeline)}`;
  const stopped = timeline.stoppedBefore !== undefined;
  return [
    `<g data-order="${esc(timeline.orderId)}">`,
    `<text x="${size.margin}" y="${top + 20}" font-weight="bold" fill="${stopped ? colour.stopped : colour.text}">${esc(clip(heading, 120))}</text>`,
    ...lanes.map((lane) => laneBand(lane, width)),
    ...budgets.map((budget) => budgetLine(budget, scale.x(budget.ms), lanesTop, lanesBottom)),
    route(timeline.hops, points),
    ...timeline.hops.map((hop, index) => hopMark(hop, points[index] as Point)),
    '</g>',
  ].join('\n');
}

function laneBand(lane: Lane, width: number): string {
  return [
    `<g data-lane="${esc(lane.name)}">`,
    `<rect x="${size.margin}" y="${lane.top}" width="${width - 2 * size.margin}" height="${lane.height}" fill="${colour.laneBand}"/>`,
    `<text x="${size.margin + 6}" y="${lane.top + size.lanePadding / 2 + size.row / 2 + 4}" font-weight="bold" fill="${colour.text}">${esc(clip(lane.name, 24))}</text>`,
    '</g>',
  ].join('\n');
}

const budgetText = (budget: TimelineBudget) => `budget ${clip(budget.label, 40)}: ${durationText(budget.ms)}`;

function budgetLine(budget: TimelineBudget, x: number, top: number, bottom: number): string {
  return `<line data-budget="${esc(budget.label)}" x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" stroke="${colour.budget}" stroke-width="2" stroke-dasharray="6 4"/>`;
}

/** The way the order went: solid between hops seen one after the other, dashed where it is not known. */
function route(hops: readonly TimelineHop[], points: readonly Point[]): string {
  return points
    .slice(1)
    .map((to, index) => {
      const from = points[index] as Point;
      const bothSeen = hops[index]?.status === 'seen' && hops[index + 1]?.status === 'seen';
      const style = bothSeen
        ? `stroke="${colour.text}"`
        : `stroke="${colour.notReached}" stroke-dasharray="4 3"`;
      return `<line x1="${from.x}" y1="${from.y}" x2="${to.x}" y2="${to.y}" ${style} stroke-width="1.5"/>`;
    })
    .join('\n');
}

const labels: Readonly<Record<HopStatus, (hop: string) => string>> = {
  seen: (hop) => hop,
  'stopped here': (hop) => `stopped before: ${hop}`,
  unknown: (hop) => `${hop} (unknown)`,
  'not reached': (hop) => `${hop} (not reached)`,
};

const gapText = (hop: TimelineHop) => (hop.gapMs === undefined ? '' : ` ${signedMs(hop.gapMs)}`);

const labelOf = (hop: TimelineHop) => `${clip(labels[hop.status](hop.hop), labelLimit)}${gapText(hop)}`;

/** The marker at its moment, and right of it the hop's name and the gap since the hop seen before. */
function hopMark(hop: TimelineHop, at: Point): string {
  const when = hop.afterMs === undefined ? hop.status : `${hop.status} at ${signedMs(hop.afterMs)}`;
  const state = hop.state === undefined ? '' : `, state ${hop.state}`;
  const gap =
    hop.gapMs === undefined
      ? ''
      : `<tspan fill="${colour.gap}" data-gap="${hop.gapMs}">${esc(gapText(hop))}</tspan>`;
  return [
    `<g data-hop="${esc(hop.hop)}" data-status="${hop.status}">`,
    `<title>${esc(`${hop.hop} (${hop.component}): ${when}${state}`)}</title>`,
    marker(hop.status, at),
    `<text x="${at.x + 12}" y="${at.y + 4}" font-size="11" ${labelStyle(hop.status)}>${esc(clip(labels[hop.status](hop.hop), labelLimit))}${gap}</text>`,
    '</g>',
  ].join('\n');
}

function labelStyle(status: HopStatus): string {
  switch (status) {
    case 'seen':
      return `fill="${colour.text}"`;
    case 'stopped here':
      return `fill="${colour.stopped}" font-weight="bold"`;
    case 'unknown':
      return `fill="${colour.unknown}" font-style="italic"`;
    default:
      return `fill="${colour.notReached}"`;
  }
}

/** Each status has its own shape, so the picture does not depend on telling colours apart. */
function marker(status: HopStatus, { x, y }: Point): string {
  switch (status) {
    case 'seen':
      return `<circle cx="${x}" cy="${y}" r="6" fill="${colour.seen}"/>`;
    case 'stopped here':
      return [
        `<rect x="${x - 8}" y="${y - 8}" width="16" height="16" fill="${colour.stopped}"/>`,
        `<path d="M${x - 4} ${y - 4}L${x + 4} ${y + 4}M${x + 4} ${y - 4}L${x - 4} ${y + 4}" stroke="#fff" stroke-width="2"/>`,
      ].join('');
    case 'unknown':
      return [
        `<circle cx="${x}" cy="${y}" r="7" fill="#fff" stroke="${colour.unknown}" stroke-dasharray="3 2"/>`,
        `<text x="${x}" y="${y + 4}" text-anchor="middle" font-size="10" font-weight="bold" fill="${colour.unknown}">?</text>`,
      ].join('');
    default:
      return `<circle cx="${x}" cy="${y}" r="6" fill="#fff" stroke="${colour.notReached}" stroke-width="1.5"/>`;
  }
}

function axis(scale: Scale, top: number, budgets: readonly TimelineBudget[]): string {
  const ticks = scale.ticks.map((tick) => {
    const x = scale.x(tick);
    const text = tick < 0 ? `-${durationText(-tick)}` : durationText(tick);
    return `<line x1="${x}" y1="${top}" x2="${x}" y2="${top + 5}" stroke="${colour.text}"/><text x="${x}" y="${top + 18}" text-anchor="middle" font-size="11" fill="${colour.text}">${text}</text>`;
  });
  // Budget names go under the axis, where no hop's label can be.
  const limits = budgets.map(
    (budget, index) =>
      `<text x="${scale.x(budget.ms)}" y="${top + size.axis + index * size.budgetLabel}" text-anchor="middle" font-size="11" fill="${colour.budget}">${esc(budgetText(budget))}</text>`,
  );
  return [
    `<line x1="${scale.left}" y1="${top}" x2="${scale.right}" y2="${top}" stroke="${colour.text}"/>`,
    ...ticks,
    `<text x="${size.margin}" y="${top + 18}" font-size="11" fill="${colour.unknown}">after the order was created</text>`,
    ...limits,
  ].join('\n');
}

const budgetSample = ({ x, y }: Point) =>
  `<line x1="${x}" y1="${y - 8}" x2="${x}" y2="${y + 8}" stroke="${colour.budget}" stroke-width="2" stroke-dasharray="4 3"/>`;

function legend(top: number, withBudget: boolean): string {
  const items: Array<[string, (at: Point) => string]> = [
    ['seen', (at) => marker('seen', at)],
    ['stopped before this hop', (at) => marker('stopped here', at)],
    ['unknown: could not be seen', (at) => marker('unknown', at)],
    ['not reached', (at) => marker('not reached', at)],
    [
      'ms since the hop seen before',
      ({ x, y }) =>
        `<text x="${x + 8}" y="${y + 4}" text-anchor="end" font-size="11" fill="${colour.gap}">+n</text>`,
    ],
    ...(withBudget ? [['budget', budgetSample] as [string, (at: Point) => string]] : []),
  ];
  let x = size.margin + 8;
  const drawn = items.map(([text, draw]) => {
    const item = `${draw({ x, y: top + 8 })}<text x="${x + 12}" y="${top + 12}" font-size="11" fill="${colour.text}">${text}</text>`;
    x += 24 + text.length * 6.2;
    return item;
  });
  return `<g data-legend="">${drawn.join('')}</g>`;
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
