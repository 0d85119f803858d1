// The picture's text twin: a table per order with the same figures (when seen, the gap, the status),
// the reason hops are unknown, and names kept as text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostile, stopped, wentThrough } from '../../test/support/journeys.ts';
import { journeyTableHtml, journeyTables } from './timeline-table.ts';

/** The body rows of the table with this caption, as cell texts (entities left as written). */
function rowsOf(html: string, caption: RegExp): string[][] {
  const table = html
    .split('<table>')
    .find((part) => caption.test(/<caption>(.*?)<\/caption>/.exec(part)?.[1] ?? ''));
  assert.ok(table, `no table captioned ${caption}`);
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table)?.[1] ?? '';
  return [...body.matchAll(/<tr[^>]*>(.*?)<\/tr>/g)].map((row) =>
    [...(row[1] ?? '').matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((cell) => cell[1] ?? ''),
  );
}

describe('journeyTableHtml', () => {
  it('lists every hop with its component, when it was seen, the gap and its status', () => {
    const html = journeyTableHtml([stopped, wentThrough]);
    assert.deepEqual(rowsOf(html, /^Order ord-stopped \(b2c\): stopped before: pricing completed/), [
      ['CRM answered', 'crm', '+0 ms', '—', 'seen', ''],
      ['order.created', 'rabbitmq', '+12 ms', '+12 ms', 'seen', ''],
      ['MES received', 'mes', '+140 ms', '+128 ms', 'seen', ''],
      ['pricing requested', 'rabbitmq', '—', '—', 'unknown', ''],
      ['pricing completed', 'pricing', '—', '—', 'stopped here', ''],
      ['MES shows the price', 'mes', '—', '—', 'not reached', 'PRICING'],
    ]);
    assert.deepEqual(rowsOf(html, /^Order ord-through/).at(-1), [
      'MES shows the price',
      'mes',
      '+1.02 s',
      '+40 ms',
      'seen',
      'PRICED',
    ]);
    assert.match(html, /<p>Unknown because: the bus observer began watching after the order was placed<\/p>/);
  });

  it('marks the row where the order stopped, for the eye as well', () => {
    assert.match(journeyTableHtml([stopped]), /<tr class="stopped-here"><th scope="row">pricing completed</);
  });

  it('escapes names from the configuration', () => {
    const html = journeyTableHtml([hostile]);
    assert.doesNotMatch(html, /<script|<b>/);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; `x`/);
    assert.match(html, /rab`bit:mq;#&lt;b&gt;&amp;amp;/);
  });

  it('gives the tables alone for a page that holds them, the same as the whole document has', () => {
    const tables = journeyTables([stopped, wentThrough]);
    assert.doesNotMatch(tables, /<html|<body|<style/);
    assert.equal((tables.match(/<table>/g) ?? []).length, 2);
    assert.ok(journeyTableHtml([stopped, wentThrough]).includes(tables));
  });
});
