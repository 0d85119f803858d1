// Breaking the pipeline on purpose: stopping, killing, pausing and restarting components, and
// putting duplicate or poison messages on the bus. What a step breaks, the After hook puts back.
import assert from 'node:assert/strict';
import { Then, When } from '@cucumber/cucumber';
import type { BusHop } from '../src/config/journey.ts';
import type { BusMessage } from '../src/drivers/bus-observer.ts';
import { isOfHop } from '../src/journey/bus-watch.ts';
import { componentOfRole, type Role } from '../src/journey/roles.ts';
import { eventually } from '../src/wait/eventually.ts';
import { readOrderState } from './support/journey.ts';
import { ownDeadline, waitsUpTo, withinDeadline } from './support/timeouts.ts';
import type { MesWorld } from './support/world.ts';

/** The component that plays the role the scenario names, in this run's pipeline. */
const playing = (world: MesWorld, role: Role) => componentOfRole(world.journey, world.endpoints, role);

When('{component} is stopped', function (this: MesWorld, role: Role) {
  return this.chaos.stop(playing(this, role));
});

When('{component} is killed', function (this: MesWorld, role: Role) {
  return this.chaos.kill(playing(this, role));
});

/** How long a kill may wait for its moment: the orders it waits for are already arriving. */
const killMomentWithinMs = 60_000;

// In the middle of the flow, at a moment the pipeline decides: while orders still arrive (started by
// "orders start arriving ..."), once the journey's state component holds some of them.
When(
  '{component} is killed once MES holds {int} of the orders',
  waitsUpTo(killMomentWithinMs),
  async function (this: MesWorld, role: Role, count: number) {
    const held = new Set<string>();
    await eventually(
      async () => {
        for (const order of this.orders) {
          if (!order.id || held.has(order.id)) continue;
          if ((await readOrderState(this, order.id)).outcome === 'found') held.add(order.id);
          if (held.size >= count) return true;
        }
        throw new Error(`MES holds ${held.size} of the ${this.orders.length} orders placed so far`);
      },
      { within: killMomentWithinMs, description: `MES holding ${count} of the orders`, maxEvery: 100 },
    );
    await this.chaos.kill(playing(this, role));
    this.log(
      `killed ${playing(this, role)} once MES held ${held.size} of ${this.orders.length} orders placed`,
    );
  },
);

When('{component} is paused', function (this: MesWorld, role: Role) {
  return this.chaos.pause(playing(this, role));
});

When('{component} is unpaused', function (this: MesWorld, role: Role) {
  return this.chaos.unpause(playing(this, role));
});

When('{component} is started again', function (this: MesWorld, role: Role) {
  return this.chaos.start(playing(this, role));
});

When('{component} restarts', function (this: MesWorld, role: Role) {
  return this.chaos.restart(playing(this, role));
});

/** The journey's first hop on the bus, and the hop after it (whose component consumes it). */
/** The AMQP properties a message was sent with, those it had. */
function definedProperties(message: BusMessage) {
  const { messageId, correlationId, priority, contentType, type, timestamp } = message;
  return Object.fromEntries(
    Object.entries({ messageId, correlationId, priority, contentType, type, timestamp }).filter(
      ([, value]) => value !== undefined,
    ),
  );
}

function firstBusHop(world: MesWorld): { hop: BusHop; consumer: string } {
  const { hops } = world.journey;
  const index = hops.findIndex((hop) => hop.kind === 'bus');
  const hop = hops[index];
  if (hop?.kind !== 'bus') assert.fail('the journey has no hop on the bus');
  return { hop, consumer: hops[index + 1]?.component ?? world.journey.state.component };
}

When("the order's order.created message is delivered again", async function (this: MesWorld) {
  const id = this.lastOrderId();
  const bus = await this.bus();
  const { hop } = firstBusHop(this);
  const original = await bus.waitFor((m) => isOfHop(hop, id, m), {
    within: 10_000,
    description: `${hop.name} for ${id}`,
  });
  // The same message again, as a broker redelivers it: same exchange, routing key, id, properties and headers.
  if (original.messageId) await this.meant({ rule: 'duplicate-publish', messageId: original.messageId });
  await bus.publish(original.exchange, original.routingKey, Buffer.from(JSON.stringify(original.body)), {
    ...definedProperties(original),
    headers: original.headers,
  });
});

Then(
  'MES ignores the duplicate within {int} seconds',
  ownDeadline,
  async function (this: MesWorld, seconds: number) {
    const id = this.lastOrderId();
    const { consumer } = firstBusHop(this);
    // The consumer says so in its log: the only trace of a message that changed nothing.
    const logged = eventually(
      async () => {
        const tail = await this.chaos.logTail(consumer, 500);
        return tail.split('\n').some((line) => line.includes(id) && /duplicate/i.test(line)) || undefined;
      },
      {
        within: seconds * 1000,
        every: 100,
        maxEvery: 500,
        description: `${consumer} to log a duplicate ignored for ${id}`,
      },
    );
    await withinDeadline(seconds, logged);
  },
);

When('a poison message is published as {string}', async function (this: MesWorld, routingKey: string) {
  const id = `poison-${Date.now()}-${Math.random().toString(16).slice(2, 8)}`;
  this.poisonIds.push(id);
  // On the exchange of the journey's first bus hop: where orders enter the bus.
  const exchange =
    firstBusHop(this).hop.channels.find((channel) => channel.exchange)?.exchange?.name ??
    assert.fail("the journey's first bus hop names no exchange to publish to");
  // A poison message breaks the contract and is dead-lettered on purpose.
  await this.meant(
    { rule: 'message-contract', messageId: id },
    { rule: 'unexpected-dead-letter', messageId: id },
  );
  await (await this.bus()).publish(exchange, routingKey, Buffer.from('{"not": "an order"'), {
    messageId: id,
  });
});

Then(
  'the poison message is dead-lettered to {string} with a reason within {int} seconds',
  ownDeadline,
  async function (this: MesWorld, exchange: string, seconds: number) {
    const id = this.poisonIds.at(-1) ?? assert.fail('no poison message was published in this scenario');
    const bus = await this.bus();
    const arrived = bus.waitFor((m) => m.exchange === exchange && m.messageId === id, {
      within: seconds * 1000,
      description: `poison message ${id} on ${exchange}`,
    });
    const dead = await withinDeadline(seconds, arrived);
    // The consumer's own reason (why it could not take the message), not only the broker's "rejected".
    assert.match(String(dead.headers['x-rejection-reason'] ?? ''), /\S/, 'x-rejection-reason header');
  },
);
