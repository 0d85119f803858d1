// The queue chart of a scenario and its text twin: the figures a backlog leaves (its peak and when, its
// end, the consumers that went away and came back), well-formed accessible SVG with a line per queue
// that held anything, dead letters marked, quiet queues left out and said so, failed samples as gaps,
// and queue names from a hostile broker kept as text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { elements, type SvgNode, wellFormed } from '../../test/support/svg-elements.ts';
import type { QueueDepth, QueueSample, QueueSamples } from '../drivers/queue-sampler.ts';
import { queueChartSvg } from './queue-chart-svg.ts';
import { queueTableHtml } from './queue-chart-table.ts';
import { queueWindowOf } from './queue-history.ts';

const groupsOfQueues = (svg: string) =>
  elements(wellFormed(svg)).filter(({ node }) => typeof node['data-queue'] === 'string');

const depth = (name: string, messages: number, consumers: number): QueueDepth => ({
  name,
  ready: Math.max(0, messages - 1),
  unacked: Math.min(1, messages),
  consumers,
});

/**
 * Pricing stopped at 1 s, three orders waiting from 1.5 s, pricing back at 6 s and the queue empty at
 * 7 s; one poison message dead-lettered at 8 s; the sample at 5 s failed; mes.orders quiet throughout.
 */
function backlog(): QueueSamples {
  const samples: QueueSample[] = [];
  for (let at = 0; at <= 10_000; at += 500) {
    if (at === 5_000) {
      samples.push({ at, gap: 'timeout of 2000ms exceeded' });
      continue;
    }
    const waiting = at < 1_500 ? 0 : at < 6_000 ? Math.min(3, (at - 1_000) / 500) : at < 7_000 ? 1 : 0;
    const consumers = at >= 1_000 && at < 6_000 ? 0 : 1;
    samples.push({
      at,
      queues: [
        depth('mes.orders', 0, 1),
        depth('pricing.requests', waiting, consumers),
        depth('pricing.requests.dead', at >= 8_000 ? 1 : 0, 0),
      ],
    });
  }
  return {
    startedAt: '2025-03-04T10:00:00.000Z',
    endedAt: 10_020,
    everyMs: 500,
    maxSamples: 120,
    thinned: 0,
    deadLetterQueues: ['pricing.requests.dead'],
    samples,
  };
}

describe('queueWindowOf', () => {
  it("gives each queue's peak and when, its end and its fewest and most consumers", () => {
    const window = queueWindowOf(backlog());
    const pricing = window.queues.find((queue) => queue.name === 'pricing.requests');
    assert.equal(pricing?.maxMessages, 3);
    assert.equal(pricing?.maxAt, 2_500);
    assert.equal(pricing?.endMessages, 0);
    assert.deepEqual([pricing?.minConsumers, pricing?.maxConsumers], [0, 1]);
    assert.equal(pricing?.points.length, 20, 'one point per sample with figures');
    assert.deepEqual(window.gaps, [{ at: 5_000, reason: 'timeout of 2000ms exceeded' }]);
    assert.equal(window.durationMs, 10_020);
  });

  it('leaves out a queue that stayed empty with the same consumers, and draws one whose consumers changed', () => {
    const record = backlog();
    const window = queueWindowOf(record);
    assert.deepEqual(
      window.queues.map((queue) => [queue.name, queue.omitted]),
      [
        ['mes.orders', 'empty, consumers unchanged'],
        ['pricing.requests', undefined],
        ['pricing.requests.dead', undefined],
      ],
    );
    const lastSample = record.samples.at(-1);
    assert.ok(lastSample && 'queues' in lastSample);
    lastSample.queues[0] = depth('mes.orders', 0, 0);
    assert.equal(queueWindowOf(record).queues[0]?.omitted, undefined);
  });

  it('draws at most the queues the picture holds, those that held the most', () => {
    const queues = Array.from({ length: 5 }, (_, index) => depth(`q${index}`, index + 1, 1));
    const window = queueWindowOf({ ...backlog(), samples: [{ at: 0, queues }] }, 2);
    assert.deepEqual(
      window.queues.filter((queue) => !queue.omitted).map((queue) => queue.name),
      ['q3', 'q4'],
    );
    assert.equal(window.queues[0]?.omitted, 'more queues than the picture holds');
  });
});

describe('queueChartSvg', () => {
  it('is an image with a title and a description that give the backlog', () => {
    const root = wellFormed(queueChartSvg(queueWindowOf(backlog())));
    assert.equal(root.role, 'img');
    assert.equal(root['aria-labelledby'], 'queues-title');
    assert.equal(root['aria-describedby'], 'queues-desc');
    assert.equal(
      String((root.title as SvgNode)['#text']),
      'Queues over 10.0 s: pricing.requests peaked at 3 at 2.5 s, 0 at the end',
    );
    const description = String((root.desc as SvgNode)['#text']);
    assert.match(description, /pricing\.requests: max 3 at 2\.5 s, 0 at the end; consumers 0 to 1\./);
    assert.match(
      description,
      /pricing\.requests\.dead \(dead letter\): max 1 at 8\.0 s, 1 at the end; 0 consumers\./,
    );
    assert.match(description, /Left out, empty throughout with the same consumers: mes\.orders\./);
    assert.match(description, /1 samples failed/);
  });

  it('draws a messages line and a consumers line per queue that held anything, broken at the failed sample', () => {
    const svg = queueChartSvg(queueWindowOf(backlog()));
    const groups = groupsOfQueues(svg);
    assert.deepEqual(
      groups.map(({ node }) => [node['data-queue'], node['data-dead-letter']]),
      [
        ['pricing.requests', 'false'],
        ['pricing.requests.dead', 'true'],
      ],
    );
    const pricing = groups[0]?.node as SvgNode;
    const lines = [pricing.polyline].flat() as SvgNode[];
    assert.equal(lines.length, 2, 'one line before the gap at 5 s, one after');
    const points = lines.map((line) => String(line.points).split(' ').length);
    assert.deepEqual(points, [10, 10]);
    // The peak is the highest point: the smallest y of the line.
    const ys = lines.flatMap((line) =>
      String(line.points)
        .split(' ')
        .map((point) => Number(point.split(',')[1])),
    );
    const top = Math.min(...ys);
    assert.equal(
      ys.filter((y) => y === top).length,
      6,
      'three messages from 2.5 s to 5.5 s, the gap left out',
    );
    assert.equal([pricing.path].flat().length, 2, 'the consumers as a step line, also broken at the gap');
    assert.equal(elements(wellFormed(svg)).filter(({ node }) => node['data-gap'] !== undefined).length, 1);
  });

  it('dashes the dead-letter queue and names it so in the legend', () => {
    const svg = queueChartSvg(queueWindowOf(backlog()));
    assert.match(
      svg,
      /<g data-queue="pricing\.requests\.dead" data-dead-letter="true">[\s\S]*?stroke-dasharray="7 4"/,
    );
    assert.match(svg, /<g data-legend="pricing\.requests\.dead">[\s\S]*?\(dead letter\)/);
    assert.doesNotMatch(svg, /<g data-queue="mes\.orders"/);
  });

  it('says so when no queue held anything', () => {
    const quiet = { ...backlog(), samples: [{ at: 0, queues: [depth('mes.orders', 0, 1)] }] };
    const svg = queueChartSvg(queueWindowOf(quiet));
    const root = wellFormed(svg);
    assert.match(String((root.title as SvgNode)['#text']), /none held a message or changed its consumers/);
    assert.equal(groupsOfQueues(svg).length, 0);
  });

  it('keeps hostile queue names as text', () => {
    const name = 'q"></g><script>alert(1)</script>&amp; \u0001 ]]>';
    const record = { ...backlog(), samples: [{ at: 0, queues: [depth(name, 2, 1)] }], deadLetterQueues: [] };
    const svg = queueChartSvg(queueWindowOf(record));
    const [group] = groupsOfQueues(svg);
    assert.equal(group?.node['data-queue'], 'q"></g><script>alert(1)</script>&amp; \uFFFD ]]>');
    assert.doesNotMatch(svg, /<script/);
    const table = queueTableHtml(queueWindowOf(record));
    assert.doesNotMatch(table, /<script/);
    assert.match(table, /q&quot;&gt;&lt;\/g&gt;&lt;script&gt;/);
  });
});

describe('queueTableHtml', () => {
  const rows = (html: string) =>
    [...html.matchAll(/<tr[^>]*><th scope="row">(.*?)<\/th>(.*?)<\/tr>/g)].map(([, name, cells]) => [
      name,
      ...[...(cells ?? '').matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((cell) => cell[1]),
    ]);

  it('gives every queue a row: peak and when, the end, fewest and most consumers, and whether it is drawn', () => {
    const html = queueTableHtml(queueWindowOf(backlog()));
    assert.deepEqual(rows(html), [
      ['mes.orders', 'work', '0', '—', '0', '1', '1', 'no: empty, consumers unchanged'],
      ['pricing.requests', 'work', '3', '2.5 s', '0', '0', '1', 'yes'],
      ['pricing.requests.dead', 'dead letter', '1', '8.0 s', '1', '0', '0', 'yes'],
    ]);
    assert.match(html, /<caption>Queues over 10\.0 s: 21 samples, every 500 ms at the end<\/caption>/);
    assert.match(html, /<li>5\.0 s: timeout of 2000ms exceeded<\/li>/);
  });
});
