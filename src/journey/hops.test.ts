import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BusHop, Journey } from '../config/journey.ts';
import { loadPipeline } from '../config/pipeline.ts';
import type { BusMessage } from '../drivers/bus-observer.ts';
import { busWatchOf, deadLetterExchangesOf } from './bus-watch.ts';
import { type BusSight, journeyOf, responsibleFor, whereItStopped } from './hops.ts';

/** The reference stack's journey, as the plan resolves it from services/reference.config.json. */
const reference = await loadPipeline({
  config: {},
  configFile: undefined,
  configDir: process.cwd(),
  components: ['rabbitmq', 'postgres', 'crm', 'mes', 'pricing'],
});
const journey: Journey = reference.journey;
const watch = busWatchOf(journey, deadLetterExchangesOf(reference.contracts.asyncapi.document));

const id = '0b8f2a4e-0000-4000-8000-000000000001';
const order = { id, sentAt: 900, answeredAt: 1000 };

const message = (exchange: string, routingKey: string, seenAt: number, orderId = id): BusMessage => ({
  exchange,
  routingKey,
  headers: {},
  body: { orderId },
  priority: undefined,
  messageId: undefined,
  correlationId: undefined,
  deliveryMode: 2,
  seenAt,
});

const sight = (messages: BusMessage[], more: Partial<BusSight> = {}): BusSight => ({
  messages,
  since: 500,
  blind: undefined,
  unwatchable: watch.unwatchable,
  ...more,
});

const mesOrder = (fields: Record<string, unknown>) => ({
  outcome: 'found' as const,
  body: { id, status: 'received', receivedAt: '1970-01-01T00:00:01.200Z', pricedAt: null, ...fields },
  readAt: 5000,
});

const allMessages = [
  message('orders', 'order.created.b2c', 1100),
  message('pricing', 'pricing.requested', 1300),
  message('pricing', 'pricing.completed', 1400),
];

describe('the reference journey, from its description', () => {
  it('watches the exchanges and routing keys of its bus hops and the dead-letter exchanges', () => {
    assert.deepEqual(watch.bindings, [
      { exchange: 'orders', bindingKey: 'order.created.b2c', type: 'topic' },
      { exchange: 'orders', bindingKey: 'order.created.b2b', type: 'topic' },
      { exchange: 'pricing', bindingKey: 'pricing.requested', type: 'topic' },
      { exchange: 'pricing', bindingKey: 'pricing.completed', type: 'topic' },
      { exchange: 'pricing', bindingKey: 'pricing.failed', type: 'topic' },
      { exchange: 'mes.orders.dead', bindingKey: '', type: 'fanout' },
      { exchange: 'pricing.requests.dead', bindingKey: '', type: 'fanout' },
      { exchange: 'mes.pricing-results.dead', bindingKey: '', type: 'fanout' },
    ]);
    assert.deepEqual(watch.unwatchable, {});
    // The business id's place comes from the messages' correlationId location.
    assert.deepEqual(
      journey.hops.filter((hop): hop is BusHop => hop.kind === 'bus').map((hop) => hop.id),
      [1, 2, 3].map(() => ({ in: 'payload', path: '$.orderId' })),
    );
  });

  it('times every hop of a priced order, with the hop names and components of today', () => {
    const priced = journeyOf(
      journey,
      order,
      sight([message('orders', 'order.created.b2c', 1050, 'someone-else'), ...allMessages]),
      mesOrder({ status: 'priced', pricedAt: '1970-01-01T00:00:01.500Z' }),
    );
    assert.deepEqual(
      priced.hops.map(({ hop, component, afterMs }) => [hop, component, afterMs]),
      [
        ['CRM answered', 'crm', 0],
        ['order.created on the bus', 'crm', 100],
        ['MES received', 'mes', 200],
        ['pricing.requested on the bus', 'mes', 300],
        ['pricing.completed on the bus', 'pricing', 400],
        ['MES shows the price', 'mes', 500],
      ],
    );
    assert.equal(priced.hops.at(-1)?.state, 'priced');
    assert.equal(priced.hops.at(-1)?.at, '1970-01-01T00:00:01.500Z');
    assert.equal(whereItStopped(priced), 'it went through every hop');
    assert.deepEqual(responsibleFor(priced), []);
  });

  it('says where an order stopped and whose hop it was', () => {
    const noPrice = journeyOf(
      journey,
      order,
      sight(allMessages.slice(0, 2)),
      mesOrder({ status: 'pricing' }),
    );
    assert.equal(
      whereItStopped(noPrice),
      'it stopped before "pricing.completed on the bus" (last seen: pricing.requested on the bus; responsible: pricing)',
    );
    const lost = journeyOf(journey, order, sight(allMessages.slice(0, 1)), { outcome: 'not found' });
    assert.equal(
      whereItStopped(lost),
      'it stopped before "MES received" (last seen: order.created on the bus; responsible: mes)',
    );
    // The state is not done without `at`-less hops being guessed: a failed pricing is not "shows the price".
    const failed = journeyOf(journey, order, sight(allMessages), mesOrder({ status: 'pricing_failed' }));
    assert.match(whereItStopped(failed), /^it stopped before "MES shows the price" \(.*responsible: mes\)$/);
    assert.equal(failed.hops.at(-1)?.state, 'pricing_failed');
  });

  // After a broker restart the observer's queue is gone: MES received the order, yet order.created was
  // never copied. The journey once said the order "stopped before order.created on the bus".
  it('calls a hop the observer missed unknown when a later hop was seen, never the place it stopped', () => {
    const missed = journeyOf(journey, order, sight(allMessages.slice(2)), mesOrder({ status: 'pricing' }));
    assert.deepEqual(
      missed.hops.filter((hop) => hop.unknown).map((hop) => hop.hop),
      ['order.created on the bus', 'pricing.requested on the bus'],
    );
    assert.match(missed.unknownBecause.join(), /not seen, though a later hop was/);
    assert.match(
      whereItStopped(missed),
      /^it stopped before "MES shows the price" \(last seen: pricing\.completed on the bus; responsible: mes\)$/,
    );
  });

  it('calls the bus hops unknown when the observer is blind, and says why once', () => {
    const blind = "the broker is not the run's (profile staging)";
    const seen = journeyOf(
      journey,
      order,
      sight([], { since: undefined, blind }),
      mesOrder({ status: 'pricing' }),
    );
    assert.deepEqual(
      seen.hops.filter((hop) => hop.unknown).map((hop) => hop.hop),
      ['order.created on the bus', 'pricing.requested on the bus', 'pricing.completed on the bus'],
    );
    assert.ok(seen.hops.filter((hop) => hop.unknown).every((hop) => hop.at === undefined));
    assert.deepEqual(seen.unknownBecause, [blind]);
    assert.equal(
      whereItStopped(seen),
      `it stopped before "MES shows the price" (last seen: MES received; unknown: pricing.requested on the bus, pricing.completed on the bus (${blind}); responsible: mes or pricing)`,
    );
    assert.deepEqual(responsibleFor(seen), ['mes', 'pricing']);
    const priced = journeyOf(
      journey,
      order,
      sight([], { since: undefined, blind }),
      mesOrder({ status: 'priced', pricedAt: '1970-01-01T00:00:01.500Z' }),
    );
    assert.match(
      whereItStopped(priced),
      /^it went through every hop that could be seen; unknown: order\.created/,
    );
  });

  it('calls a hop unknown when the observer began watching after the order was placed, unless it saw the message', () => {
    const reopened = journeyOf(
      journey,
      order,
      sight([message('pricing', 'pricing.requested', 1300)], { since: 950 }),
      mesOrder({ status: 'pricing' }),
    );
    const status = Object.fromEntries(
      reopened.hops.map((hop) => [hop.hop, hop.unknown ? 'unknown' : hop.at ? 'seen' : 'missing']),
    );
    assert.deepEqual(status, {
      'CRM answered': 'seen',
      'order.created on the bus': 'unknown',
      'MES received': 'seen',
      'pricing.requested on the bus': 'seen',
      'pricing.completed on the bus': 'unknown',
      'MES shows the price': 'missing',
    });
    assert.deepEqual(reopened.unknownBecause, ['the bus observer began watching after the order was placed']);
  });

  it('calls the hops read from the state unknown when the state cannot be read, and adds the hops seen elsewhere', () => {
    const down = journeyOf(
      journey,
      order,
      sight(allMessages),
      { outcome: 'no answer', why: 'ECONNREFUSED' },
      [{ hop: 'dashboard shows it', component: 'mes', at: 1600 }],
    );
    assert.deepEqual(
      down.hops.filter((hop) => hop.unknown).map((hop) => hop.hop),
      ['MES received', 'MES shows the price'],
    );
    assert.deepEqual(down.unknownBecause, ['mes did not answer GET /api/orders/{id}: ECONNREFUSED']);
    assert.deepEqual(down.hops.at(-1), {
      hop: 'dashboard shows it',
      component: 'mes',
      at: '1970-01-01T00:00:01.600Z',
      afterMs: 600,
    });
  });

  it('gives a refused order only its answer', () => {
    const refused = journeyOf(journey, { ...order, id: undefined }, sight(allMessages), {
      outcome: 'not found',
    });
    assert.deepEqual(
      refused.hops.filter((hop) => hop.at !== undefined).map((hop) => hop.hop),
      ['CRM answered'],
    );
    assert.equal(
      whereItStopped(refused),
      'it stopped before "order.created on the bus" (last seen: CRM answered; responsible: crm)',
    );
  });
});
