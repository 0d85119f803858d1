// The figures every picture of a journey shows: statuses, gaps, lanes, and where the order stopped,
// agreeing with whereItStopped (the failure message) on the same journey.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stopped, wentThrough } from '../../test/support/journeys.ts';
import { whereItStopped } from './hops.ts';
import {
  durationText,
  journeyBudgetsOf,
  ordersToDraw,
  outcomeText,
  signedMs,
  timelineOf,
} from './timeline.ts';

describe('timelineOf', () => {
  it('gives every hop its status: seen, unknown, stopped here, then not reached', () => {
    const timeline = timelineOf(stopped);
    assert.deepEqual(
      timeline.hops.map((hop) => [hop.hop, hop.status]),
      [
        ['CRM answered', 'seen'],
        ['order.created', 'seen'],
        ['MES received', 'seen'],
        ['pricing requested', 'unknown'],
        ['pricing completed', 'stopped here'],
        ['MES shows the price', 'not reached'],
      ],
    );
    assert.equal(timeline.stoppedBefore?.hop, 'pricing completed');
    assert.equal(timeline.lastSeen?.hop, 'MES received');
  });

  it('stops where whereItStopped says the order stopped', () => {
    const timeline = timelineOf(stopped);
    assert.match(whereItStopped(stopped), new RegExp(`stopped before "${timeline.stoppedBefore?.hop}"`));
    assert.equal(timelineOf(wentThrough).stoppedBefore, undefined);
    assert.match(whereItStopped(wentThrough), /went through every hop/);
  });

  it('measures each gap from the hop seen before, over unknown hops', () => {
    const gaps = timelineOf(wentThrough).hops.map((hop) => hop.gapMs);
    assert.deepEqual(gaps, [undefined, 8, 87, 35, 850, 40]);
    const unseen = timelineOf(stopped).hops.slice(3);
    assert.ok(unseen.every((hop) => hop.gapMs === undefined && hop.afterMs === undefined));
  });

  it('has one lane per component, in the order the journey reaches them', () => {
    assert.deepEqual(timelineOf(wentThrough).lanes, ['crm', 'rabbitmq', 'mes', 'pricing']);
  });

  it('keeps the state read back on its hop', () => {
    assert.equal(timelineOf(wentThrough).hops.at(-1)?.state, 'PRICED');
  });
});

describe('ordersToDraw', () => {
  it('draws the orders that stopped first, then the others, up to the limit', () => {
    const orders = ordersToDraw([wentThrough, stopped, wentThrough], 2).map((timeline) => timeline.orderId);
    assert.deepEqual(orders, ['ord-stopped', 'ord-through']);
  });
});

describe('how times and outcomes read', () => {
  it('signs gaps and picks the unit', () => {
    assert.deepEqual(
      [signedMs(420), signedMs(-15), signedMs(1250), durationText(119_600)],
      ['+420 ms', '-15 ms', '+1.25 s', '2 min 0 s'],
    );
  });

  it('says where the order stopped and where it was last seen', () => {
    assert.equal(
      outcomeText(timelineOf(stopped)),
      'stopped before: pricing completed (pricing), last seen: MES received at +140 ms',
    );
    assert.equal(outcomeText(timelineOf(wentThrough)), 'went through every hop');
  });
});

describe('journeyBudgetsOf', () => {
  // wentThrough (B2B) reaches 1020 ms; stopped (B2C) was last seen at 140 ms.
  const limits = [
    { figure: 'created_to_priced_ms.b2c', statistic: 'p95', max: 500 },
    { figure: 'created_to_priced_ms.b2b', statistic: 'p95', max: 4000 },
    { figure: 'mes.list_ms', statistic: 'p95', max: 100 },
  ];

  it("draws the created-to-priced budget of each segment the orders are in, and no other figure's", () => {
    assert.deepEqual(journeyBudgetsOf(limits, [stopped]), [
      { label: 'created_to_priced_ms.b2c p95', ms: 500 },
    ]);
    assert.deepEqual(
      journeyBudgetsOf(limits, [stopped, wentThrough]).map((budget) => budget.ms),
      [500, 4000],
    );
    assert.deepEqual(
      journeyBudgetsOf(limits, [{ ...stopped, segment: undefined }]),
      [],
      'no segment, no line',
    );
  });

  it('leaves out a budget more than four times further out than every hop: it would leave them no room', () => {
    const far = [{ figure: 'created_to_priced_ms.b2b', statistic: 'p95', max: 20_000 }];
    assert.deepEqual(journeyBudgetsOf(far, [wentThrough]), []);
  });
});
