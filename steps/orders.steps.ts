// Placing orders and following them through the pipeline: CRM -> RabbitMQ -> MES -> pricing.
import assert from 'node:assert/strict';
import { type DataTable, Then, When } from '@cucumber/cucumber';
import { linesFromTable, type Segment } from '../fixtures/orders.ts';
import type { BusHop } from '../src/config/journey.ts';
import type { MesOrder } from '../src/drivers/mes-client.ts';
import { readState } from '../src/drivers/state-reader.ts';
import { isOfHop } from '../src/journey/bus-watch.ts';
import { isDone } from '../src/journey/hops.ts';
import { eventually } from '../src/wait/eventually.ts';
import { withWhereItStopped } from './support/journey.ts';
import { placeOrder, recordCreatedToPriced } from './support/orders.ts';
import { ownDeadline, withinDeadline } from './support/timeouts.ts';
import type { MesWorld } from './support/world.ts';

When(
  'a {segment} customer places an order through API {apiVersion}:',
  function (this: MesWorld, segment: Segment, version: string, table: DataTable) {
    return placeOrder(this, { segment, version, lines: linesFromTable(table.hashes()) });
  },
);

When(
  'a {segment} customer places an order through API {apiVersion} in {currency}:',
  function (this: MesWorld, segment: Segment, version: string, currency: string, table: DataTable) {
    return placeOrder(this, { segment, version, currency, lines: linesFromTable(table.hashes()) });
  },
);

When(
  'a {segment} customer orders {int} x {word}',
  function (this: MesWorld, segment: Segment, quantity: number, sku: string) {
    return placeOrder(this, { segment, version: 'v2', lines: [{ sku, quantity }] });
  },
);

/** Waits until MES shows the order in the state; at the deadline, says where the order stopped. */
async function orderInState(world: MesWorld, status: string, seconds: number): Promise<MesOrder> {
  const id = world.lastOrderId();
  try {
    return await world.mes.waitForStatus(id, status, { within: seconds * 1000 });
  } catch (error) {
    throw await withWhereItStopped(world, world.lastOrder(), error);
  }
}

Then(
  'MES shows the order as {orderStatus} within {int} second(s)',
  ownDeadline,
  async function (this: MesWorld, status: string, seconds: number) {
    const order = await withinDeadline(seconds, orderInState(this, status, seconds));
    if (order.pricedAt) await recordCreatedToPriced(this, [order]);
  },
);

Then(
  "the order's total is {amount} {currency}",
  async function (this: MesWorld, cents: number, currency: string) {
    const order = await this.mes.findOrder(this.lastOrderId());
    assert.ok(order, 'MES does not know the order');
    assert.equal(order.currency, currency, 'currency');
    assert.equal(order.totalCents, cents, `total in cents (${order.totalCents} ${order.currency})`);
  },
);

/** The journey's bus hops: each must be seen exactly once per order (no loss, no duplicate). */
Then('every hop of the order is seen on the bus exactly once', async function (this: MesWorld) {
  const id = this.lastOrderId();
  const bus = await this.bus();
  const hops = this.journey.hops.filter((hop): hop is BusHop => hop.kind === 'bus');
  const last = hops.at(-1) ?? assert.fail('the journey has no hop on the bus');
  // The last hop arrives before the state is done; waiting for it covers a slow observer.
  await bus.waitFor((m) => isOfHop(last, id, m), { within: 10_000, description: `${last.name} for ${id}` });
  const seen = bus.seen();
  assert.deepEqual(
    Object.fromEntries(hops.map((hop) => [hop.name, seen.filter((m) => isOfHop(hop, id, m)).length])),
    Object.fromEntries(hops.map((hop) => [hop.name, 1])),
    `messages per hop for order ${id}`,
  );
});

When(
  '{int} {segment} customers each order {int} x {word}',
  async function (this: MesWorld, customers: number, segment: Segment, quantity: number, sku: string) {
    for (let i = 0; i < customers; i += 1)
      await placeOrder(this, { segment, version: 'v2', lines: [{ sku, quantity }] });
    const refused = this.answers.slice(-customers).filter((answer) => answer.status !== 201);
    assert.deepEqual(
      refused.map((answer) => answer.status),
      [],
      'every order accepted by the CRM',
    );
  },
);

Then(
  'MES shows every order as priced within {int} seconds',
  ownDeadline,
  async function (this: MesWorld, seconds: number) {
    const ids = this.orders.flatMap((order) => (order.id ? [order.id] : []));
    const notYet = new Set(ids);
    const allPriced = eventually(
      async () => {
        // Read with the journey's state operation: "priced" is the state the journey calls done.
        for (const id of [...notYet])
          if (isDone(this.journey, await readState(this.endpoints, this.journey.state, id)))
            notYet.delete(id);
        if (notYet.size > 0) throw new Error(`${notYet.size} of ${ids.length} not priced yet`);
        return true;
      },
      { within: seconds * 1000, description: `${ids.length} orders priced in MES`, maxEvery: 500 },
    );
    await withinDeadline(seconds, allPriced);
  },
);

Then('MES holds each order exactly once', async function (this: MesWorld) {
  for (const order of this.orders.filter((candidate) => candidate.id)) {
    const { orders } = await this.mes.listOrders({ customer: order.customerId, limit: 10 });
    assert.deepEqual(
      orders.map((row) => row.id),
      [order.id],
      `MES rows for customer ${order.customerId}`,
    );
  }
});

Then(
  'the last B2C order is priced before at least {int} of the B2B orders',
  async function (this: MesWorld, atLeast: number) {
    const pricedAt = async (id: string) => Date.parse((await this.mes.findOrder(id))?.pricedAt ?? '');
    const b2c =
      this.orders.filter((order) => order.segment === 'b2c').at(-1)?.id ?? assert.fail('no B2C order');
    const b2cAt = await pricedAt(b2c);
    const b2b = this.orders.filter((order) => order.segment === 'b2b' && order.id);
    const later = (await Promise.all(b2b.map((order) => pricedAt(order.id ?? '')))).filter(
      (at) => at > b2cAt,
    );
    assert.ok(
      later.length >= atLeast,
      `B2B orders priced after the B2C one: ${later.length} of ${b2b.length}`,
    );
  },
);

// The two below look into the reference services' own tables (read-only): what no API shows.
Then("MES's database holds each order exactly once", async function (this: MesWorld) {
  for (const order of this.orders.filter((candidate) => candidate.id)) {
    assert.equal(
      await this.database.mesRowsOf(order.id ?? ''),
      1,
      `rows in mes.orders for order ${order.id}`,
    );
  }
});

Then(
  'the outboxes of the CRM and MES are empty within {int} second(s)',
  ownDeadline,
  async function (this: MesWorld, seconds: number) {
    const emptied = eventually(
      async () => {
        const unsent = {
          crm: await this.database.unsentOutbox('crm'),
          mes: await this.database.unsentOutbox('mes'),
        };
        if (unsent.crm + unsent.mes > 0) throw new Error(`unsent: CRM ${unsent.crm}, MES ${unsent.mes}`);
        return true;
      },
      { within: seconds * 1000, description: 'every outbox message published', maxEvery: 500 },
    );
    await withinDeadline(seconds, emptied);
  },
);
