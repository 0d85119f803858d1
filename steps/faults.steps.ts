// Breaking the pipeline on purpose: stopping, killing, pausing and restarting components, and
// putting duplicate or poison messages on the bus. What a step breaks, the After hook puts back.
import assert from 'node:assert/strict';
import { Then, When } from '@cucumber/cucumber';
import type { ComponentName } from '../src/config/schema.ts';
import { eventually } from '../src/wait/eventually.ts';
import { ownDeadline, withinDeadline } from './support/timeouts.ts';
import type { MesWorld } from './support/world.ts';

When('{component} is stopped', function (this: MesWorld, component: ComponentName) {
  return this.chaos.stop(component);
});

When('{component} is killed', function (this: MesWorld, component: ComponentName) {
  return this.chaos.kill(component);
});

When('{component} is paused', function (this: MesWorld, component: ComponentName) {
  return this.chaos.pause(component);
});

When('{component} is unpaused', function (this: MesWorld, component: ComponentName) {
  return this.chaos.unpause(component);
});

When('{component} is started again', function (this: MesWorld, component: ComponentName) {
  return this.chaos.start(component);
});

When('{component} restarts', function (this: MesWorld, component: ComponentName) {
  return this.chaos.restart(component);
});

When("the order's order.created message is delivered again", async function (this: MesWorld) {
  const id = this.lastOrderId();
  const bus = await this.bus();
  const original = await bus.waitFor(
    (m) => m.exchange === 'orders' && (m.body as { orderId?: string }).orderId === id,
    { within: 10_000, description: `order.created of ${id}` },
  );
  await bus.publish('orders', original.routingKey, Buffer.from(JSON.stringify(original.body)), {
    messageId: id,
    headers: original.headers,
    ...(original.priority === undefined ? {} : { priority: original.priority }),
  });
});

Then(
  'MES ignores the duplicate within {int} seconds',
  ownDeadline,
  async function (this: MesWorld, seconds: number) {
    const id = this.lastOrderId();
    // MES says so in its log; the log is the only trace of a message that changed nothing.
    const logged = eventually(
      async () => {
        const tail = await this.chaos.logTail('mes', 500);
        return (
          tail.split('\n').some((line) => line.includes(id) && line.includes('duplicate order ignored')) ||
          undefined
        );
      },
      {
        within: seconds * 1000,
        every: 100,
        maxEvery: 500,
        description: `MES to log "duplicate order ignored" for ${id}`,
      },
    );
    await withinDeadline(seconds, logged);
  },
);

When('a poison message is published as {string}', async function (this: MesWorld, routingKey: string) {
  const id = `poison-${Date.now()}-${Math.random().toString(16).slice(2, 8)}`;
  this.poisonIds.push(id);
  await (await this.bus()).publish('orders', routingKey, Buffer.from('{"not": "an order"'), {
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
    assert.match(String(dead.headers['x-rejection-reason'] ?? ''), /\S/, 'x-rejection-reason header');
  },
);
