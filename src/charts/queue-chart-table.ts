// The text twin of the queue chart: every queue the samples listed as a row of an HTML table (its peak
// and when, its depth at the end, its fewest and most consumers), and why a queue is not in the picture.
import { escapeMarkup as esc } from '../journey/markup.ts';
import { type QueueHistory, type QueueWindow, secondsText } from './queue-history.ts';

const style = [
  'body{font-family:system-ui,sans-serif;font-size:14px;color:#212121}',
  'table{border-collapse:collapse;margin:0 0 1.5em}',
  'caption{text-align:left;font-weight:bold;padding:.3em 0}',
  'th,td{border:1px solid #bdbdbd;padding:.25em .6em;text-align:left}',
  'td.n{text-align:right;font-variant-numeric:tabular-nums}',
  'tr.omitted{color:#757575}',
].join('');

const headings = [
  'Queue',
  'Kind',
  'Most messages',
  'At',
  'Messages at the end',
  'Fewest consumers',
  'Most consumers',
  'In the picture',
];

export function queueTableHtml(window: QueueWindow): string {
  const pace = window.thinned > 0 ? `, halved ${window.thinned} times to stay small` : '';
  const caption = `Queues over ${secondsText(window.durationMs)}: ${window.sampleCount} samples, every ${window.everyMs} ms at the end${pace}`;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>Queues during the scenario</title><style>${style}</style></head><body>`,
    '<table>',
    `<caption>${esc(caption)}</caption>`,
    `<thead><tr>${headings.map((heading) => `<th scope="col">${heading}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...window.queues.map(queueRow),
    '</tbody>',
    '</table>',
    "<p>Messages are ready plus unacknowledged, as the broker's management API reports them (its figures refresh every few seconds at most).</p>",
    ...gapList(window.gaps),
    '</body></html>',
    '',
  ].join('\n');
}

function queueRow(queue: QueueHistory): string {
  const cells = [
    `<th scope="row">${esc(queue.name)}</th>`,
    `<td>${queue.deadLetter ? 'dead letter' : 'work'}</td>`,
    `<td class="n">${queue.maxMessages}</td>`,
    `<td class="n">${queue.maxMessages === 0 ? '—' : secondsText(queue.maxAt)}</td>`,
    `<td class="n">${queue.endMessages ?? 'gone'}</td>`,
    `<td class="n">${queue.minConsumers}</td>`,
    `<td class="n">${queue.maxConsumers}</td>`,
    `<td>${queue.omitted === undefined ? 'yes' : `no: ${queue.omitted}`}</td>`,
  ];
  return `<tr${queue.omitted === undefined ? '' : ' class="omitted"'}>${cells.join('')}</tr>`;
}

function gapList(gaps: QueueWindow['gaps']): string[] {
  if (gaps.length === 0) return [];
  const items = gaps.map((gap) => `<li>${esc(`${secondsText(gap.at)}: ${gap.reason}`)}</li>`);
  return [`<p>${gaps.length} samples failed (gaps in the picture):</p>`, `<ul>${items.join('')}</ul>`];
}
