// The journey picture: well-formed, accessible SVG with a lane per component, each hop drawn with its
// status (the stop marked by shape, colour and words), the gaps written, a budget line, and names
// from a hostile configuration kept as text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostile, hostileHop, stopped, wentThrough } from '../../test/support/journeys.ts';
import { elements, type SvgNode, wellFormed } from '../../test/support/svg-elements.ts';
import type { AttachedJourney } from './attached-journey.ts';
import { journeySvg } from './timeline-svg.ts';

const hopsDrawn = (svg: string) =>
  elements(wellFormed(svg)).flatMap(({ node }) =>
    typeof node['data-hop'] === 'string' ? [[node['data-hop'], node['data-status']]] : [],
  );

const textOf = (svg: string) => svg.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('journeySvg', () => {
  it('is an image with a title and a description that say where the order stopped', () => {
    const svg = journeySvg([stopped]);
    const root = wellFormed(svg);
    assert.equal(root.role, 'img');
    assert.equal(root['aria-labelledby'], 'journey-title');
    assert.equal(root['aria-describedby'], 'journey-desc');
    const title = String((root.title as SvgNode)['#text']);
    assert.match(title, /^Journey of order ord-stopped: stopped before: pricing completed \(pricing\)/);
    const description = String((root.desc as SvgNode)['#text']);
    assert.match(description, /Lanes: crm, rabbitmq, mes, pricing\./);
    assert.match(description, /order\.created seen at \+12 ms \(gap \+12 ms\)/);
    assert.match(
      description,
      /pricing requested: unknown; pricing completed: stopped here; MES shows the price: not reached/,
    );
  });

  it('takes the ids a page gives it, so that several pictures on one page keep their own names', () => {
    const root = wellFormed(journeySvg([stopped], { idPrefix: 'scenario-3-journeys' }));
    assert.equal(root['aria-labelledby'], 'scenario-3-journeys-title');
    assert.equal(root['aria-describedby'], 'scenario-3-journeys-desc');
    assert.equal((root.title as SvgNode).id, 'scenario-3-journeys-title');
    assert.equal((root.desc as SvgNode).id, 'scenario-3-journeys-desc');
  });

  it('draws one lane per component, in journey order', () => {
    const lanes = elements(wellFormed(journeySvg([wentThrough]))).flatMap(({ node }) =>
      typeof node['data-lane'] === 'string' ? [node['data-lane']] : [],
    );
    assert.deepEqual(lanes, ['crm', 'rabbitmq', 'mes', 'pricing']);
  });

  it('draws each hop with its status, unknown as unknown and the stop marked in words', () => {
    const svg = journeySvg([stopped]);
    assert.deepEqual(hopsDrawn(svg), [
      ['CRM answered', 'seen'],
      ['order.created', 'seen'],
      ['MES received', 'seen'],
      ['pricing requested', 'unknown'],
      ['pricing completed', 'stopped here'],
      ['MES shows the price', 'not reached'],
    ]);
    const text = textOf(svg);
    assert.match(text, /stopped before: pricing completed/);
    assert.match(text, /pricing requested \(unknown\)/);
    assert.match(text, /MES shows the price \(not reached\)/);
  });

  it('gives the stop a shape and a colour of its own', () => {
    const stop = /<g data-hop="pricing completed" data-status="stopped here">([\s\S]*?)<\/g>/.exec(
      journeySvg([stopped]),
    )?.[1];
    assert.ok(stop);
    assert.match(stop, /<rect [^>]*fill="#c62828"/);
    assert.match(stop, /font-weight="bold"/);
  });

  it('writes the gap between hops seen one after the other', () => {
    const gaps = [...journeySvg([wentThrough]).matchAll(/data-gap="(-?\d+)">([^<]*)</g)].map((match) => [
      Number(match[1]),
      match[2]?.trim(),
    ]);
    assert.deepEqual(gaps, [
      [8, '+8 ms'],
      [87, '+87 ms'],
      [35, '+35 ms'],
      [850, '+850 ms'],
      [40, '+40 ms'],
    ]);
  });

  it('draws a budget line across the lanes, named under the axis, only when given one', () => {
    assert.doesNotMatch(journeySvg([wentThrough]), /data-budget/);
    const svg = journeySvg([wentThrough], { budgets: [{ label: 'created to priced (b2b)', ms: 1500 }] });
    assert.match(svg, /<line data-budget="created to priced \(b2b\)"/);
    assert.match(textOf(svg), /budget created to priced \(b2b\): 1\.5 s/);
    assert.match(
      String((wellFormed(svg).desc as SvgNode)['#text']),
      /Budget created to priced \(b2b\): 1\.5 s\./,
    );
  });

  it('keeps names from the configuration as text: no element, no broken XML', () => {
    const svg = journeySvg([hostile]);
    const names = elements(wellFormed(svg)).map(({ name }) => name);
    assert.ok(!names.includes('script') && !names.includes('b'), names.join(', '));
    assert.doesNotMatch(svg, /<script|<b>/);
    assert.ok(!svg.includes('\u0001'), 'a control character XML does not allow');
    const drawn = hopsDrawn(svg).map(([hop]) => hop);
    assert.equal(drawn[2], hostileHop.replace('\u0001', '\uFFFD'));
  });

  it('draws at most five orders, those that stopped first, and says how many there were', () => {
    const many: AttachedJourney[] = Array.from({ length: 8 }, (_, index) => ({
      ...(index === 6 ? stopped : wentThrough),
      orderId: `ord-${index}`,
    }));
    const root = wellFormed(journeySvg(many));
    assert.match(String((root.title as SvgNode)['#text']), /^Journeys of 8 orders \(showing 5\): 1 stopped$/);
    const orders = elements(root).flatMap(({ node }) =>
      typeof node['data-order'] === 'string' ? [node['data-order']] : [],
    );
    assert.deepEqual(orders, ['ord-6', 'ord-0', 'ord-1', 'ord-2', 'ord-3']);
  });
});
