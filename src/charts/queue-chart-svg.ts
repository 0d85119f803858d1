// A scenario's queues over its window as one small self-contained SVG: a line of messages (ready +
// unacked) per queue that held any, a thin step line of its consumers below, dead-letter queues
// dashed and named so, failed samples marked, time in seconds from the scenario's start.
import { escapeMarkup as esc } from '../journey/markup.ts';
import { drawnQueues, type QueueHistory, type QueueWindow, secondsText } from './queue-history.ts';

const size = {
  width: 680,
  margin: 12,
  left: 56,
  right: 20,
  depthTop: 52,
  depthHeight: 150,
  bandGap: 18,
  consumersHeight: 44,
  axis: 44,
  legendRow: 18,
};

const palette = ['#1565c0', '#c62828', '#2e7d32', '#6a1b9a', '#ef6c00', '#00838f', '#4e342e', '#ad1457'];
const ink = { text: '#212121', muted: '#616161', grid: '#e0e0e0', gap: '#bdbdbd' };
const deadLetterDash = '7 4';

/** Steps of the time axis, in seconds: the first that leaves at most eight ticks. */
const timeSteps = [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600];

interface Frame {
  x: (ms: number) => number;
  depth: (messages: number) => number;
  consumers: (count: number) => number;
  depthMax: number;
  consumersMax: number;
  consumersTop: number;
  axisTop: number;
}

export function queueChartSvg(window: QueueWindow): string {
  const drawn = drawnQueues(window);
  const frame = frameOf(window, drawn);
  const legendTop = frame.axisTop + size.axis;
  const height = legendTop + Math.max(1, drawn.length) * size.legendRow + size.margin;
  const title = titleOf(window, drawn);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="queues-title" aria-describedby="queues-desc" viewBox="0 0 ${size.width} ${height}" width="${size.width}" height="${height}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
    `<title id="queues-title">${esc(title)}</title>`,
    `<desc id="queues-desc">${esc(descriptionOf(window, drawn))}</desc>`,
    `<rect width="${size.width}" height="${height}" fill="#fff"/>`,
    `<text x="${size.margin}" y="22" font-size="15" font-weight="bold" fill="${ink.text}">${esc(clip(title, 90))}</text>`,
    yAxes(frame),
    ...window.gaps.map((gap) => gapMark(gap, frame)),
    ...drawn.map((queue, index) => series(queue, index, window, frame)),
    drawn.length === 0 ? nothingToDraw(frame) : '',
    timeAxis(window.durationMs, frame),
    ...drawn.map((queue, index) => legendRow(queue, index, legendTop + index * size.legendRow)),
    '</svg>',
  ]
    .filter((part) => part !== '')
    .join('\n');
}

function frameOf(window: QueueWindow, drawn: readonly QueueHistory[]): Frame {
  const plotWidth = size.width - size.left - size.right;
  const depthMax = niceCeiling(Math.max(1, ...drawn.map((queue) => queue.maxMessages)));
  const consumersMax = Math.max(1, ...drawn.map((queue) => queue.maxConsumers));
  const consumersTop = size.depthTop + size.depthHeight + size.bandGap;
  const depthBottom = size.depthTop + size.depthHeight;
  const consumersBottom = consumersTop + size.consumersHeight;
  const span = Math.max(1, window.durationMs);
  return {
    x: (ms) => round(size.left + (Math.min(ms, span) / span) * plotWidth),
    depth: (messages) => round(depthBottom - (messages / depthMax) * size.depthHeight),
    consumers: (count) => round(consumersBottom - (count / consumersMax) * (size.consumersHeight - 6)),
    depthMax,
    consumersMax,
    consumersTop,
    axisTop: consumersBottom,
  };
}

function titleOf(window: QueueWindow, drawn: readonly QueueHistory[]): string {
  const over = `Queues over ${secondsText(window.durationMs)}`;
  const highest = [...drawn].sort((a, b) => b.maxMessages - a.maxMessages)[0];
  if (!highest) return `${over}: none held a message or changed its consumers`;
  if (highest.maxMessages === 0) return `${over}: none held a message; consumers changed`;
  return `${over}: ${highest.name} peaked at ${highest.maxMessages} at ${secondsText(highest.maxAt)}, ${endText(highest)}`;
}

const endText = (queue: QueueHistory) =>
  queue.endMessages === undefined ? 'gone at the end' : `${queue.endMessages} at the end`;

const kindText = (queue: QueueHistory) => (queue.deadLetter ? ' (dead letter)' : '');

const consumersText = (queue: QueueHistory) =>
  queue.minConsumers === queue.maxConsumers
    ? `${queue.minConsumers} consumers`
    : `consumers ${queue.minConsumers} to ${queue.maxConsumers}`;

const figuresText = (queue: QueueHistory) =>
  `${queue.name}${kindText(queue)}: max ${queue.maxMessages} at ${secondsText(queue.maxAt)}, ${endText(queue)}; ${consumersText(queue)}`;

/** The picture in words, for a screen reader: the same figures as the table beside it. */
function descriptionOf(window: QueueWindow, drawn: readonly QueueHistory[]): string {
  const quiet = window.queues.filter((queue) => queue.omitted === 'empty, consumers unchanged');
  const crowded = window.queues.filter((queue) => queue.omitted === 'more queues than the picture holds');
  return [
    `Messages (ready and unacknowledged) and consumers of the run's queues, sampled ${window.sampleCount} times over ${secondsText(window.durationMs)}.`,
    ...drawn.map((queue) => `${figuresText(queue)}.`),
    quiet.length > 0 ? `Left out, empty throughout with the same consumers: ${names(quiet)}.` : '',
    crowded.length > 0 ? `Not drawn, more queues than the picture holds: ${names(crowded)}.` : '',
    window.gaps.length > 0 ? `${window.gaps.length} samples failed and show as gaps.` : '',
  ]
    .filter((sentence) => sentence !== '')
    .join(' ');
}

const names = (queues: readonly QueueHistory[]) => queues.map((queue) => queue.name).join(', ');

function yAxes(frame: Frame): string {
  const depthTicks = [0, frame.depthMax / 2, frame.depthMax].filter(Number.isInteger);
  const consumerTicks = [0, frame.consumersMax];
  const right = size.width - size.right;
  const tick = (y: number, label: number) =>
    `<line x1="${size.left}" y1="${y}" x2="${right}" y2="${y}" stroke="${ink.grid}"/><text x="${size.left - 6}" y="${y + 4}" text-anchor="end" font-size="11" fill="${ink.text}">${label}</text>`;
  return [
    `<text x="${size.left}" y="${size.depthTop - 8}" font-size="11" fill="${ink.muted}">messages (ready + unacked)</text>`,
    ...depthTicks.map((value) => tick(frame.depth(value), value)),
    `<text x="${size.left}" y="${frame.consumersTop - 4}" font-size="11" fill="${ink.muted}">consumers</text>`,
    ...consumerTicks.map((value) => tick(frame.consumers(value), value)),
  ].join('\n');
}

function gapMark(gap: { at: number; reason: string }, frame: Frame): string {
  const x = frame.x(gap.at);
  return [
    `<g data-gap="${gap.at}">`,
    `<title>${esc(`no figures at ${secondsText(gap.at)}: ${clip(gap.reason, 200)}`)}</title>`,
    `<rect x="${x - 1.5}" y="${size.depthTop}" width="3" height="${frame.axisTop - size.depthTop}" fill="${ink.gap}" opacity="0.6"/>`,
    '</g>',
  ].join('');
}

/** The queue's messages as a line and its consumers as a step line, each broken where a sample failed. */
function series(queue: QueueHistory, index: number, window: QueueWindow, frame: Frame): string {
  const colour = palette[index % palette.length] as string;
  const dash = queue.deadLetter ? ` stroke-dasharray="${deadLetterDash}"` : '';
  const runs = runsBetweenGaps(queue, window);
  const depth = runs.map((run) =>
    run.length === 1
      ? `<circle cx="${frame.x(run[0]?.at ?? 0)}" cy="${frame.depth(run[0]?.messages ?? 0)}" r="3" fill="${colour}"/>`
      : `<polyline data-series="messages" points="${run.map((point) => `${frame.x(point.at)},${frame.depth(point.messages)}`).join(' ')}" fill="none" stroke="${colour}" stroke-width="2" stroke-linejoin="round"${dash}/>`,
  );
  const consumers = runs.map(
    (run) =>
      `<path data-series="consumers" d="${stepPath(run, frame)}" fill="none" stroke="${colour}" stroke-width="1"${dash}/>`,
  );
  return [
    `<g data-queue="${esc(queue.name)}" data-dead-letter="${queue.deadLetter}">`,
    `<title>${esc(figuresText(queue))}</title>`,
    ...depth,
    ...consumers,
    '</g>',
  ].join('\n');
}

type Point = QueueHistory['points'][number];

function runsBetweenGaps(queue: QueueHistory, window: QueueWindow): Point[][] {
  const runs: Point[][] = [];
  let previous: Point | undefined;
  for (const point of queue.points) {
    const broken =
      previous === undefined ||
      window.gaps.some((gap) => gap.at > (previous as Point).at && gap.at < point.at);
    if (broken) runs.push([point]);
    else runs.at(-1)?.push(point);
    previous = point;
  }
  return runs;
}

/** A count holds until the next sample shows another: across, then up or down. */
function stepPath(run: readonly Point[], frame: Frame): string {
  const [first, ...rest] = run;
  if (!first) return '';
  const moves = rest.map((point) => `H${frame.x(point.at)}V${frame.consumers(point.consumers)}`);
  const end = rest.length === 0 ? `h2` : '';
  return `M${frame.x(first.at)} ${frame.consumers(first.consumers)}${moves.join('')}${end}`;
}

function nothingToDraw(frame: Frame): string {
  return `<text x="${size.left + 12}" y="${frame.depth(frame.depthMax / 2)}" fill="${ink.muted}">No queue held a message or changed its consumers.</text>`;
}

function timeAxis(durationMs: number, frame: Frame): string {
  const seconds = durationMs / 1000;
  const step = timeSteps.find((each) => seconds / each <= 8) ?? 3600;
  const ticks = Array.from({ length: Math.floor(seconds / step) + 1 }, (_, index) => index * step);
  const top = frame.axisTop;
  return [
    `<line x1="${size.left}" y1="${top}" x2="${size.width - size.right}" y2="${top}" stroke="${ink.text}"/>`,
    ...ticks.map((tick) => {
      const x = frame.x(tick * 1000);
      return `<line x1="${x}" y1="${top}" x2="${x}" y2="${top + 5}" stroke="${ink.text}"/><text x="${x}" y="${top + 18}" text-anchor="middle" font-size="11" fill="${ink.text}">${tick} s</text>`;
    }),
    `<text x="${size.width - size.right}" y="${top + 32}" text-anchor="end" font-size="11" fill="${ink.muted}">seconds from the scenario's start</text>`,
  ].join('\n');
}

function legendRow(queue: QueueHistory, index: number, top: number): string {
  const colour = palette[index % palette.length] as string;
  const dash = queue.deadLetter ? ` stroke-dasharray="${deadLetterDash}"` : '';
  const y = top + 9;
  return [
    `<g data-legend="${esc(queue.name)}">`,
    `<line x1="${size.margin}" y1="${y}" x2="${size.margin + 28}" y2="${y}" stroke="${colour}" stroke-width="2"${dash}/>`,
    `<text x="${size.margin + 36}" y="${y + 4}" font-size="11" fill="${ink.text}">${esc(clip(figuresText(queue), 100))}</text>`,
    '</g>',
  ].join('');
}

/** 1, 2 or 5 times a power of ten, at least `value`: an axis that ends on a round number. */
function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].map((factor) => factor * power).find((nice) => nice >= value) ?? value) as number;
}

const round = (value: number) => Math.round(value * 10) / 10;

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
