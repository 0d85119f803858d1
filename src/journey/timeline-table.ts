// The text twin of the journey picture: the same orders and figures as a plain HTML table (hop,
// component, when it was seen, the gap, its status), for a screen reader, a search, or a copy.
import type { AttachedJourney } from './attached-journey.ts';
import { escapeMarkup as esc } from './markup.ts';
import {
  defaultMaxOrders,
  type OrderTimeline,
  ordersToDraw,
  outcomeText,
  type PictureOptions,
  signedMs,
  type TimelineHop,
} from './timeline.ts';

const style = [
  'body{font-family:system-ui,sans-serif;font-size:14px;color:#212121}',
  'table{border-collapse:collapse;margin:0 0 1.5em}',
  'caption{text-align:left;font-weight:bold;padding:.3em 0}',
  'th,td{border:1px solid #bdbdbd;padding:.25em .6em;text-align:left}',
  'td.ms{text-align:right;font-variant-numeric:tabular-nums}',
  'tr.stopped-here{background:#ffebee;color:#b71c1c;font-weight:bold}',
  'tr.unknown{font-style:italic}',
  'tr.not-reached{color:#757575}',
].join('');

export function journeyTableHtml(journeys: readonly AttachedJourney[], options: PictureOptions = {}): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>Order journeys</title><style>${style}</style></head><body>`,
    journeyTables(journeys, options),
    '</body></html>',
    '',
  ].join('\n');
}

/**
 * The tables alone, for a page that holds them among other things (its rows carry the classes
 * seen, stopped-here, unknown and not-reached for that page's style).
 */
export function journeyTables(journeys: readonly AttachedJourney[], options: PictureOptions = {}): string {
  const timelines = ordersToDraw(journeys, options.maxOrders ?? defaultMaxOrders);
  const left = journeys.length - timelines.length;
  const budgets = (options.budgets ?? []).map(
    (budget) => `<li>${esc(`${budget.label}: ${budget.ms} ms after the order was created`)}</li>`,
  );
  return [
    ...timelines.map(orderTable),
    ...(budgets.length > 0 ? ['<p>Budgets:</p>', `<ul>${budgets.join('')}</ul>`] : []),
    ...(left > 0 ? [`<p>${left} more orders are in journey.json.</p>`] : []),
  ].join('\n');
}

function orderTable(timeline: OrderTimeline): string {
  const segment = timeline.segment ? ` (${timeline.segment})` : '';
  const withState = timeline.hops.some((hop) => hop.state !== undefined);
  const headings = ['Hop', 'Component', 'Seen at', 'Gap', 'Status', ...(withState ? ['State'] : [])];
  return [
    '<table>',
    `<caption>${esc(`Order ${timeline.orderId}${segment}: ${outcomeText(timeline)}`)}</caption>`,
    `<thead><tr>${headings.map((heading) => `<th scope="col">${heading}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...timeline.hops.map((hop) => hopRow(hop, withState)),
    '</tbody>',
    '</table>',
    ...(timeline.unknownBecause.length > 0
      ? [`<p>Unknown because: ${esc(timeline.unknownBecause.join('; '))}</p>`]
      : []),
  ].join('\n');
}

function hopRow(hop: TimelineHop, withState: boolean): string {
  const cells = [
    `<th scope="row">${esc(hop.hop)}</th>`,
    `<td>${esc(hop.component)}</td>`,
    `<td class="ms">${hop.afterMs === undefined ? '—' : signedMs(hop.afterMs)}</td>`,
    `<td class="ms">${hop.gapMs === undefined ? '—' : signedMs(hop.gapMs)}</td>`,
    `<td>${hop.status}</td>`,
    ...(withState ? [`<td>${esc(hop.state ?? '')}</td>`] : []),
  ];
  return `<tr class="${hop.status.replace(' ', '-')}">${cells.join('')}</tr>`;
}
