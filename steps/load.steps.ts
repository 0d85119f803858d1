// Load on the pipeline (@perf): bursts and sustained rates of mixed orders, and the figures they
// produce (arrival rate, throughput, created-to-priced per segment). The figures go into the
// messages, where the policy's budgets judge them.
import assert from 'node:assert/strict';
import { setInterval } from 'node:timers/promises';
import { type DataTable, Then, When } from '@cucumber/cucumber';
import { interleave, type MixRow, mixFromTable, type Segment } from '../fixtures/orders.ts';
import type { MesOrder } from '../src/drivers/mes-client.ts';
import { figuresBody, figuresMediaType, statistic } from '../src/gate/figures.ts';
import {
  createdToPricedMs,
  pipelineThroughput,
  placeOrder,
  recordCreatedToPriced,
} from './support/orders.ts';
import { waitsUpTo } from './support/timeouts.ts';
import type { MesWorld } from './support/world.ts';

/** The longest a load step's orders take to be answered: the schedule itself is bounded by its step. */
const arrivalsAnsweredWithinMs = 120_000;

function everyOrderAccepted(world: MesWorld, what: string) {
  const refused = world.answers.filter((answer) => answer.status !== 201);
  assert.deepEqual(
    refused.map((answer) => answer.status),
    [],
    `every order of the ${what} accepted`,
  );
}

const placeMixed = (world: MesWorld, row: MixRow) =>
  placeOrder(world, { segment: row.segment, version: 'v2', lines: row.lines });

When(
  'a burst of {int} orders arrives, {int} of them B2C, each {int} x {word}',
  async function (this: MesWorld, total: number, b2c: number, quantity: number, sku: string) {
    // B2B first, then B2C, all at once: the B2C orders meet a backlog they must overtake.
    const segments: Segment[] = [...Array(total - b2c).fill('b2b'), ...Array(b2c).fill('b2c')];
    await Promise.all(
      segments.map((segment) => placeOrder(this, { segment, version: 'v2', lines: [{ sku, quantity }] })),
    );
    everyOrderAccepted(this, 'burst');
  },
);

When('a burst of orders arrives, mixed as:', async function (this: MesWorld, table: DataTable) {
  const mix = mixFromTable(table.hashes(), 'orders');
  const rows = mix.flatMap((row) => Array.from({ length: row.amount }, () => row));
  await Promise.all(rows.map((row) => placeMixed(this, row)));
  everyOrderAccepted(this, 'burst');
});

/** Places the mix on a schedule: one order leaves on each tick, whether or not the last was answered. */
async function arriveAt(world: MesWorld, perSecond: number, seconds: number, table: DataTable) {
  const plan = interleave(mixFromTable(table.hashes(), 'share'), perSecond * seconds);
  const began = performance.now();
  const placed: Array<Promise<void>> = [];
  // A schedule, not a pause: independent clients do not wait for each other's answers.
  let next = 0;
  if (plan.length > 0) {
    for await (const _tick of setInterval(1000 / perSecond)) {
      placed.push(placeMixed(world, plan[next] as MixRow));
      next += 1;
      if (next === plan.length) break;
    }
  }
  await Promise.all(placed);
  const sentFor = (performance.now() - began) / 1000;
  const arrival = plan.length / sentFor;
  world.log(
    `${plan.length} orders in ${sentFor.toFixed(1)} s: ${arrival.toFixed(1)} orders/s (asked ${perSecond})`,
  );
  await world.attach(figuresBody({ arrival_per_s: [arrival] }), figuresMediaType);
}

When(
  'orders arrive at {int} per second for {int} second(s), mixed as:',
  async function (this: MesWorld, perSecond: number, seconds: number, table: DataTable) {
    await arriveAt(this, perSecond, seconds, table);
    everyOrderAccepted(this, 'load');
  },
);

// The next steps run while the orders arrive (a component fails in the middle of them); a later step
// waits for the last answer.
When(
  'orders start arriving at {int} per second for {int} second(s), mixed as:',
  function (this: MesWorld, perSecond: number, seconds: number, table: DataTable) {
    if (this.arrivals) assert.fail('orders are still arriving from an earlier step: wait for them first');
    const arrivals = arriveAt(this, perSecond, seconds, table);
    // Awaited by "every order that arrived was accepted"; a scenario failing before it must not leave
    // an unhandled rejection behind.
    arrivals.catch(() => {});
    this.arrivals = arrivals;
  },
);

Then(
  'every order that arrived was accepted',
  waitsUpTo(arrivalsAnsweredWithinMs),
  async function (this: MesWorld) {
    const arrivals =
      this.arrivals ?? assert.fail('no orders are arriving: start them with "orders start arriving ..."');
    await arrivals;
    this.arrivals = undefined;
    everyOrderAccepted(this, 'load');
  },
);

async function pricedOrders(world: MesWorld): Promise<MesOrder[]> {
  const orders = await Promise.all(
    world.orders.flatMap((order) => (order.id ? [world.mes.findOrder(order.id)] : [])),
  );
  const priced = orders.filter((order): order is MesOrder => Boolean(order?.pricedAt));
  assert.equal(priced.length, world.orders.length, 'every order priced');
  return priced;
}

const createdToPriced = (orders: readonly MesOrder[], segment: Segment) =>
  orders.filter((order) => order.segment === segment).map(createdToPricedMs);

Then('the created-to-priced times of the orders are recorded per segment', async function (this: MesWorld) {
  const priced = await pricedOrders(this);
  await recordCreatedToPriced(this, priced);
  for (const segment of ['b2c', 'b2b'] as const) {
    const times = createdToPriced(priced, segment);
    if (times.length === 0) continue;
    this.log(
      `${segment}: ${times.length} orders, created-to-priced p50 ${statistic(times, 'p50')} ms, p95 ${statistic(times, 'p95')} ms`,
    );
  }
});

Then("the pipeline's throughput is recorded", async function (this: MesWorld) {
  const priced = await pricedOrders(this);
  const { seconds, perSecond } = pipelineThroughput(priced);
  this.log(
    `through the pipeline: ${priced.length} orders in ${seconds.toFixed(1)} s = ${perSecond.toFixed(1)} orders/s`,
  );
  await this.attach(figuresBody({ pipeline_throughput_per_s: [perSecond] }), figuresMediaType);
});

function percentileOf(percentile: number): 'p50' | 'p95' | 'p99' {
  const which = `p${percentile}`;
  if (which !== 'p50' && which !== 'p95' && which !== 'p99')
    assert.fail(`percentile ${percentile}: use 50, 95 or 99`);
  return which;
}

Then(
  '{segment} orders were priced faster than {segment} orders at the {int}th percentile',
  async function (this: MesWorld, faster: Segment, slower: Segment, percentile: number) {
    const which = percentileOf(percentile);
    const priced = await pricedOrders(this);
    const [fast, slow] = [faster, slower].map((segment) => {
      const times = createdToPriced(priced, segment);
      assert.ok(times.length > 0, `no ${segment} order was placed`);
      return statistic(times, which);
    });
    assert.ok(
      (fast ?? 0) < (slow ?? 0),
      `${faster} created-to-priced ${which} is ${fast} ms, not below ${slower}'s ${slow} ms`,
    );
  },
);

Then(
  '{segment} orders were priced within {int} ms at the {int}th percentile',
  async function (this: MesWorld, segment: Segment, budgetMs: number, percentile: number) {
    const which = percentileOf(percentile);
    const times = createdToPriced(await pricedOrders(this), segment);
    assert.ok(times.length > 0, `no ${segment} order was placed`);
    const measured = statistic(times, which);
    assert.ok(
      measured <= budgetMs,
      `${segment} created-to-priced ${which} is ${measured} ms, over ${budgetMs} ms (${times.length} orders)`,
    );
  },
);
