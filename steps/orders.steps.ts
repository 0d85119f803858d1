// Placing orders and following them through the pipeline: CRM -> RabbitMQ -> MES -> pricing.
import assert from 'node:assert/strict';
import { type DataTable, Then, When } from '@cucumber/cucumber';
import { linesFromTable, type Segment } from '../fixtures/orders.ts';
import type { BusHop, CarriedValue } from '../src/config/journey.ts';
import { httpBaseUrlOf } from '../src/drivers/endpoints.ts';
import { sendHttp } from '../src/drivers/http-client.ts';
import type { StateRead } from '../src/drivers/state-reader.ts';
import { isOfHop } from '../src/journey/bus-watch.ts';
import { isDone, type Stage, stageOf } from '../src/journey/hops.ts';
import { whereValueWentWrong } from '../src/journey/wrong-value.ts';
import { valueAt } from '../src/match/json-path.ts';
import { eventually } from '../src/wait/eventually.ts';
import { readOrderState, withWhereItStopped } from './support/journey.ts';
import { placeOrder, recordCreatedToDone } from './support/orders.ts';
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

/** The journey's create operation answered one of its success statuses, with the order's id. */
Then('the CRM accepts the order', function (this: MesWorld) {
  const { answer, id } = this.lastOrder();
  assert.ok(
    id !== undefined,
    `${this.journey.create.name}: not accepted (${answer.status}); body: ${JSON.stringify(answer.body).slice(0, 300)}`,
  );
});

/** The words scenarios use for MES's states, as the journey's stages. */
const stageOfStatus: Record<string, Stage> = {
  received: 'received',
  pricing: 'inProgress',
  priced: 'done',
  pricing_failed: 'failed',
};

/** Waits until the state read back is at the stage; at the deadline, says where the order stopped. */
async function orderAtStage(world: MesWorld, stage: Stage, seconds: number): Promise<StateRead> {
  const id = world.lastOrderId();
  const { journey } = world;
  try {
    return await eventually(
      async () => {
        const state = await readOrderState(world, id);
        const now = stageOf(journey, state);
        if (now !== stage)
          throw new Error(`${journey.state.component} shows it ${now ?? describeRead(state)}`);
        return state;
      },
      { within: seconds * 1000, description: `${journey.state.name}: order ${id} ${stage}`, maxEvery: 250 },
    );
  } catch (error) {
    throw await withWhereItStopped(world, world.lastOrder(), error);
  }
}

const describeRead = (state: StateRead) =>
  state.outcome === 'found'
    ? 'in a state the journey does not list'
    : state.outcome === 'not found'
      ? 'not at all'
      : `no answer (${state.why})`;

Then(
  'MES shows the order as {orderStatus} within {int} second(s)',
  ownDeadline,
  async function (this: MesWorld, status: string, seconds: number) {
    const stage = stageOfStatus[status] ?? assert.fail(`no stage for the status "${status}"`);
    const state = await withinDeadline(seconds, orderAtStage(this, stage, seconds));
    if (stage === 'done') await recordCreatedToDone(this, this.lastOrder(), state);
  },
);

/** A read value at a journey path, or a failure that names the path and the component. */
function readAt(world: MesWorld, state: StateRead, path: string | undefined, what: string): unknown {
  if (state.outcome !== 'found')
    assert.fail(`${world.journey.state.component} does not show the order (${describeRead(state)})`);
  if (!path) assert.fail(`the journey's state has no "${what}" path: give journey.state.${what}`);
  const found = valueAt(state.body, path);
  if (!found.found) assert.fail(`the order's state has nothing at ${path} (journey.state.${what})`);
  return found.value;
}

Then(
  "the order's total is {amount} {currency}",
  async function (this: MesWorld, cents: number, currency: string) {
    const { state: operation } = this.journey;
    const id = this.lastOrderId();
    const state = await readOrderState(this, id);
    const total = readAt(this, state, operation.total, 'total');
    const messages = (await this.bus()).seen();
    const traced = (which: CarriedValue, expected: unknown, shown: unknown) => {
      const where = whereValueWentWrong(this.journey, which, expected, shown, id, messages);
      return where ? `; ${where}` : '';
    };
    if (operation.currency) {
      const shown = readAt(this, state, operation.currency, 'currency');
      assert.equal(shown, currency, `currency${traced('currency', currency, shown)}`);
    }
    assert.equal(
      total,
      cents,
      `total in cents (minor units, at ${operation.total})${traced('total', cents, total)}`,
    );
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
    const refused = this.orders.slice(-customers).flatMap((order) => (order.id ? [] : [order.answer]));
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
          if (isDone(this.journey, await readOrderState(this, id))) notYet.delete(id);
        if (notYet.size > 0) throw new Error(`${notYet.size} of ${ids.length} not priced yet`);
        return true;
      },
      { within: seconds * 1000, description: `${ids.length} orders priced in MES`, maxEvery: 500 },
    );
    await withinDeadline(seconds, allPriced);
  },
);

Then('MES holds each order exactly once', async function (this: MesWorld) {
  const list = this.journey.list ?? assert.fail('the journey has no list operation: give journey.list');
  for (const order of this.orders.filter((candidate) => candidate.id)) {
    const ids = await idsListedFor(this, list, order.customerId);
    assert.deepEqual(ids, [order.id], `${list.component} lists for customer ${order.customerId}`);
  }
});

/** The ids the journey's list operation gives for one customer (the customer as its query parameter). */
async function idsListedFor(
  world: MesWorld,
  list: NonNullable<MesWorld['journey']['list']>,
  customerId: string,
): Promise<unknown[]> {
  const answer = await sendHttp(
    {
      method: list.method,
      baseUrl: httpBaseUrlOf(world.endpoints, list.component),
      path: `${list.path}?${new URLSearchParams({ [list.customer]: customerId })}`,
      headers: { accept: 'application/json' },
    },
    { onAnswer: world.answersOf(list.component) },
  );
  assert.ok(answer.status >= 200 && answer.status < 300, `${list.operationId} answered ${answer.status}`);
  const items = valueAt(answer.body, list.items);
  assert.ok(items.found && Array.isArray(items.value), `${list.operationId}: no array at ${list.items}`);
  return items.value.map((item) => {
    const id = valueAt(item, list.id);
    return id.found ? id.value : undefined;
  });
}

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

Then("the order's failure reason is {string}", async function (this: MesWorld, reason: string) {
  const state = await readOrderState(this, this.lastOrderId());
  assert.equal(readAt(this, state, this.journey.state.reason, 'reason'), reason, 'failure reason');
});
