// The MES dashboard as an operator sees it (@ui): orders appearing with their prices without a
// reload, and the analytics panel's queues and counts. Thin over the dashboard page driver.
import assert from 'node:assert/strict';
import { Given, Then } from '@cucumber/cucumber';
import type { QueueRowView } from '../src/drivers/dashboard-page.ts';
import type { MesOrder } from '../src/drivers/mes-client.ts';
import { eventually } from '../src/wait/eventually.ts';
import { withWhereItStopped } from './support/journey.ts';
import { panelDifferences, panelTruthOf } from './support/panel-truth.ts';
import { ownDeadline, withinDeadline } from './support/timeouts.ts';
import type { MesWorld } from './support/world.ts';

/** How the page names each MES state ({orderStatus} gives the API's names). */
const shownState: Record<string, string> = {
  received: 'Received',
  pricing: 'Pricing',
  priced: 'Priced',
  pricing_failed: 'Pricing failed',
};

/** Money as the page shows it: its locale is fixed to en-GB by the driver. */
const shownMoney = (cents: number, currency: string) =>
  new Intl.NumberFormat('en-GB', { style: 'currency', currency }).format(cents / 100);

async function waitOnDashboard(world: MesWorld, id: string, status: string, seconds: number) {
  const dashboard = await world.dashboard();
  world.dashboardSaw.set(id, world.dashboardSaw.get(id));
  try {
    const row = await dashboard.waitForOrder(id, {
      state: shownState[status] ?? status,
      within: seconds * 1000,
    });
    world.dashboardRows.set(id, row);
  } catch (error) {
    const order = world.orders.find((placed) => placed.id === id) ?? world.lastOrder();
    throw await withWhereItStopped(world, order, error);
  }
  world.dashboardSaw.set(id, world.dashboardSaw.get(id) ?? Date.now());
  assert.equal(await dashboard.isSameDocument(), true, 'the dashboard reloaded: it must update in place');
}

Given('the MES dashboard is open', async function (this: MesWorld) {
  await this.dashboard();
});

Given('the MES dashboard is open, counting the orders created from now on', async function (this: MesWorld) {
  assert.equal(this.usedDashboard(), undefined, 'the dashboard was opened earlier in the scenario');
  // MES's own clock says when "now" is: the orders' creation times are stamped by the pipeline, not
  // by this machine, whose clock may differ from the pipeline's (staging).
  const { generatedAt } = (await this.mes.metrics()) as { generatedAt?: unknown };
  if (typeof generatedAt !== 'string') assert.fail("MES's metrics carry no generatedAt time");
  await this.dashboard({ since: generatedAt });
});

Then(
  'the dashboard shows the order as {orderStatus} within {int} second(s)',
  ownDeadline,
  async function (this: MesWorld, status: string, seconds: number) {
    await withinDeadline(seconds, waitOnDashboard(this, this.lastOrderId(), status, seconds));
  },
);

Then(
  'the dashboard shows every order as {orderStatus} within {int} second(s)',
  ownDeadline,
  async function (this: MesWorld, status: string, seconds: number) {
    const deadline = Date.now() + seconds * 1000;
    const placed = this.orders.filter((order) => order.id);
    const eachShown = async () => {
      for (const order of placed)
        await waitOnDashboard(this, order.id ?? '', status, Math.max(0, deadline - Date.now()) / 1000);
    };
    await withinDeadline(seconds, eachShown());
  },
);

/**
 * What the dashboard's price column shows for the scenario's last order, and the order's id. The
 * view pages the newest orders: a burst of another scenario's orders can push this one off the page
 * after a step saw it, so the row as last seen stands in then.
 */
async function shownPrice(world: MesWorld): Promise<{ id: string; price: string }> {
  const id = world.lastOrderId();
  const page = await (await world.dashboard()).orders();
  const shown = page.find((order) => order.id === id) ?? world.dashboardRows.get(id);
  assert.ok(shown, `order ${id} is not on the dashboard's page (it shows ${page.length} other orders)`);
  return { id, price: shown.price };
}

Then(
  "the dashboard shows the order's failure reason {string}",
  async function (this: MesWorld, reason: string) {
    // The price column says why there is no price.
    const { id, price } = await shownPrice(this);
    assert.equal(price, reason, `the dashboard's price column of order ${id}`);
  },
);

Then(
  "the dashboard shows the order's total as {amount} {currency}",
  async function (this: MesWorld, cents: number, currency: string) {
    const { id, price } = await shownPrice(this);
    assert.equal(price, shownMoney(cents, currency), `the dashboard's price of order ${id}`);
  },
);

async function waitForQueueOnPanel(
  world: MesWorld,
  queue: string,
  holds: (figures: QueueRowView) => boolean,
  what: string,
  seconds: number,
) {
  const dashboard = await world.dashboard();
  // The panel polls MES, which asks RabbitMQ's management API: its figures lag a few seconds.
  await dashboard.waitForQueue(queue, holds, {
    within: seconds * 1000,
    description: `the analytics panel showing ${queue} with ${what}`,
  });
}

Then(
  'the analytics panel shows at least {int} message(s) waiting in {string} within {int} second(s)',
  ownDeadline,
  async function (this: MesWorld, count: number, queue: string, seconds: number) {
    const shown = waitForQueueOnPanel(this, queue, (q) => q.messages >= count, `${count}+ messages`, seconds);
    await withinDeadline(seconds, shown);
  },
);

Then(
  'the analytics panel shows no message(s) waiting in {string} within {int} second(s)',
  ownDeadline,
  async function (this: MesWorld, queue: string, seconds: number) {
    await withinDeadline(
      seconds,
      waitForQueueOnPanel(this, queue, (q) => q.messages === 0, 'no messages', seconds),
    );
  },
);

Then(
  'the analytics panel shows {string} consumed by at least {int} consumer(s) within {int} second(s)',
  ownDeadline,
  async function (this: MesWorld, queue: string, consumers: number, seconds: number) {
    const shown = waitForQueueOnPanel(
      this,
      queue,
      (q) => q.consumers >= consumers,
      `${consumers}+ consumers`,
      seconds,
    );
    await withinDeadline(seconds, shown);
  },
);

Then(
  'the analytics panel counts at least {int} {orderStatus} {segment} order(s) within {int} second(s)',
  ownDeadline,
  async function (this: MesWorld, count: number, status: string, segment: string, seconds: number) {
    const dashboard = await this.dashboard();
    const column = segment === 'b2c' ? 1 : 2;
    const state = shownState[status] ?? status;
    const counted = dashboard.waitForTable(
      'Order counts',
      (rows) => Number(rows.find((row) => row[0] === state)?.[column]) >= count,
      {
        within: seconds * 1000,
        description: `the analytics panel counting ${count}+ ${state} ${segment} orders`,
      },
    );
    await withinDeadline(seconds, counted);
  },
);

Then(
  "the analytics panel's order counts and created-to-priced p50 and p95 agree with the scenario's orders within {int} ms",
  async function (this: MesWorld, toleranceMs: number) {
    const orders = await Promise.all(
      this.orders.map(async (order) =>
        order.id
          ? ((await this.mes.findOrder(order.id)) ?? assert.fail(`MES has no order ${order.id}`))
          : undefined,
      ),
    );
    const truth = panelTruthOf(orders.filter((order): order is MesOrder => order !== undefined));
    const dashboard = await this.dashboard();
    // The panel reads MES's figures every two seconds: wait for a refresh after the orders settled.
    await eventually(
      async () => {
        const wrong = panelDifferences(truth, await dashboard.analytics(), toleranceMs, shownState);
        if (wrong.length > 0) throw new Error(wrong.join('; '));
        return true;
      },
      { within: 15_000, description: "the analytics panel agreeing with the scenario's own orders" },
    );
  },
);
