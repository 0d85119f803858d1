// Scaling out: another instance of a component, and the throughput the pipeline reaches with it.
import assert from 'node:assert/strict';
import { Then, When } from '@cucumber/cucumber';
import { orderBody, uniqueCustomerId } from '../fixtures/orders.ts';
import type { ComponentName } from '../src/config/schema.ts';
import { queueFigures } from '../src/drivers/broker-queues.ts';
import type { MesOrder } from '../src/drivers/mes-client.ts';
import { figuresBody, figuresMediaType } from '../src/gate/figures.ts';
import { eventually } from '../src/wait/eventually.ts';
import { pipelineThroughput } from './support/orders.ts';
import { waitsUpTo } from './support/timeouts.ts';
import type { MesWorld } from './support/world.ts';

/** The queue each scalable component consumes: its consumer count says how many instances work. */
const workQueue: Partial<Record<ComponentName, string>> = { pricing: 'pricing.requests', mes: 'mes.orders' };

const consumerWithinMs = 60_000;
const burstPricedWithinMs = 180_000;

// Both wait on deadlines of their own, longer than the one step timeout.
When(
  'a second {component} instance is started',
  waitsUpTo(2 * consumerWithinMs),
  async function (this: MesWorld, component: ComponentName) {
    const queue =
      workQueue[component] ?? assert.fail(`${component} takes no work from a queue: nothing to scale`);
    const { managementUrl, vhost } = this.endpoints.rabbitmq;
    if (!managementUrl) assert.fail('no management API URL: the consumer count cannot be read');
    const before = (await queueFigures(managementUrl, vhost)).find((q) => q.name === queue)?.consumers ?? 0;
    this.log(`started ${await this.chaos.addInstance(component)}`);
    // It counts once it consumes: the broker says so.
    await eventually(
      async () => {
        const consumers =
          (await queueFigures(managementUrl, vhost)).find((q) => q.name === queue)?.consumers ?? 0;
        if (consumers <= before) throw new Error(`${queue} has ${consumers} consumer(s)`);
        return true;
      },
      { within: consumerWithinMs, every: 250, maxEvery: 1_000, description: `a new consumer on ${queue}` },
    );
  },
);

When(
  'a burst of {int} B2B orders is priced, its throughput measured as {string}',
  waitsUpTo(burstPricedWithinMs),
  async function (this: MesWorld, count: number, label: string) {
    const apiKey = this.apiKey('b2b-portal');
    const answers = await Promise.all(
      Array.from({ length: count }, () =>
        this.crm.placeOrder({
          version: 'v2',
          apiKey,
          body: orderBody('v2', uniqueCustomerId('burst'), [{ sku: 'LAMP', quantity: 1 }]),
        }),
      ),
    );
    const ids = answers.map(
      (answer) => (answer.body as { id?: string }).id ?? assert.fail(`refused: ${answer.status}`),
    );
    const priced = await eventually(
      async () => {
        const orders = await Promise.all(ids.map((id) => this.mes.findOrder(id)));
        const done = orders.filter((order): order is MesOrder => Boolean(order?.pricedAt));
        if (done.length < ids.length) throw new Error(`${done.length} of ${ids.length} priced`);
        return done;
      },
      { within: burstPricedWithinMs, every: 250, maxEvery: 1_000, description: `${count} orders priced` },
    );
    const { seconds, perSecond } = pipelineThroughput(priced);
    this.throughput.set(label, perSecond);
    this.log(`${label}: ${count} orders in ${seconds.toFixed(1)} s = ${perSecond.toFixed(1)} orders/s`);
    await this.attach(figuresBody({ [`pricing_throughput_per_s.${label}`]: [perSecond] }), figuresMediaType);
  },
);

Then(
  'the throughput {string} is at least {float} times the throughput {string}',
  function (this: MesWorld, higher: string, factor: number, lower: string) {
    const measured = (label: string) =>
      this.throughput.get(label) ?? assert.fail(`no throughput measured as "${label}"`);
    const ratio = measured(higher) / measured(lower);
    assert.ok(ratio >= factor, `${higher} is ${ratio.toFixed(2)} times ${lower}, less than ${factor}`);
  },
);
