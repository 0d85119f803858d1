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
import { ownDeadline, waitsUpTo, withinDeadline } from './support/timeouts.ts';
import type { MesWorld } from './support/world.ts';

/** The queue each scalable component of the reference stack consumes: its consumers are its instances. */
const workQueue: Partial<Record<ComponentName, string>> = { pricing: 'pricing.requests', mes: 'mes.orders' };

const consumerWithinMs = 60_000;
const burstPricedWithinMs = 180_000;
/** Throughput that grows by less than this from one measurement to the next has stopped growing. */
const growthThreshold = 1.1;

/** The queue a component takes its work from; `otherwise` says what to do when it has none known. */
function queueOf(component: ComponentName, otherwise: 'scale' | 'watch'): string {
  return (
    workQueue[component] ??
    assert.fail(
      otherwise === 'scale'
        ? `${component} takes no work from a queue (known: ${Object.keys(workQueue).join(', ')}): nothing to scale`
        : `${component} has no known work queue: name the queue ("the queue "..." has N consumers within S seconds")`,
    )
  );
}

async function consumersOf(world: MesWorld, queue: string): Promise<number> {
  const { managementUrl, vhost } = world.endpoints.rabbitmq;
  if (!managementUrl) assert.fail('no management API URL: the consumer count cannot be read');
  return (await queueFigures(managementUrl, vhost)).find((q) => q.name === queue)?.consumers ?? 0;
}

/** Resolves once the broker counts at least `count` consumers on the queue; at the deadline, says how many. */
function consumersReach(world: MesWorld, queue: string, count: number, withinMs: number) {
  return eventually(
    async () => {
      const consumers = await consumersOf(world, queue);
      if (consumers < count) throw new Error(`${queue} has ${consumers} consumer(s)`);
      return consumers;
    },
    { within: withinMs, every: 250, maxEvery: 1_000, description: `${count} consumers on ${queue}` },
  );
}

// Both wait on deadlines of their own, longer than the one step timeout.
When(
  'a second {component} instance is started',
  waitsUpTo(2 * consumerWithinMs),
  async function (this: MesWorld, component: ComponentName) {
    const queue = queueOf(component, 'scale');
    const before = await consumersOf(this, queue);
    this.log(`started ${await this.chaos.addInstance(component)}`);
    // It counts once it consumes: the broker says so.
    await consumersReach(this, queue, before + 1, consumerWithinMs);
  },
);

When(
  '{component} runs {int} instances',
  waitsUpTo(2 * consumerWithinMs),
  async function (this: MesWorld, component: ComponentName, count: number) {
    const queue = queueOf(component, 'scale');
    const running = await consumersOf(this, queue);
    if (count < running)
      assert.fail(`${component} already runs ${running} instances: scaling down is not a step`);
    const started = await Promise.all(
      Array.from({ length: count - running }, () => this.chaos.addInstance(component)),
    );
    if (started.length > 0) this.log(`started ${started.join(', ')}`);
    await consumersReach(this, queue, count, consumerWithinMs);
  },
);

// What a team's platform scales by itself (an autoscaler on staging): only watched, never started.
Then(
  '{component} has {int} consumers within {int} seconds',
  ownDeadline,
  async function (this: MesWorld, component: ComponentName, count: number, seconds: number) {
    await withinDeadline(seconds, consumersReach(this, queueOf(component, 'watch'), count, seconds * 1000));
  },
);

Then(
  'the queue {string} has {int} consumer(s) within {int} second(s)',
  ownDeadline,
  async function (this: MesWorld, queue: string, count: number, seconds: number) {
    await withinDeadline(seconds, consumersReach(this, queue, count, seconds * 1000));
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
    // The deepest each queue got while the burst went through: where the work waited.
    const deepest = new Map<string, number>();
    const { managementUrl, vhost } = this.endpoints.rabbitmq;
    const priced = await eventually(
      async () => {
        if (managementUrl)
          for (const queue of await queueFigures(managementUrl, vhost).catch(() => []))
            deepest.set(queue.name, Math.max(deepest.get(queue.name) ?? 0, queue.messages));
        const orders = await Promise.all(ids.map((id) => this.mes.findOrder(id)));
        const done = orders.filter((order): order is MesOrder => Boolean(order?.pricedAt));
        if (done.length < ids.length) throw new Error(`${done.length} of ${ids.length} priced`);
        return done;
      },
      { within: burstPricedWithinMs, every: 250, maxEvery: 1_000, description: `${count} orders priced` },
    );
    this.burstQueues.set(label, deepest);
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

/** Each measurement against the one before it, in the order they were taken. */
function growthOf(throughput: ReadonlyMap<string, number>) {
  const measured = [...throughput];
  return measured.slice(1).map(([label, perSecond], i) => {
    const [before, beforePerSecond] = measured[i] as [string, number];
    return { before, label, perSecond, ratio: perSecond / beforePerSecond };
  });
}

Then("where the pipeline's throughput stops growing is reported", async function (this: MesWorld) {
  if (this.throughput.size < 2) assert.fail('measure the throughput at two scales at least');
  const growth = growthOf(this.throughput);
  const stopped = growth.find((step) => step.ratio < growthThreshold);
  const deepestQueue = (label: string) => {
    const [queue, depth] = [...(this.burstQueues.get(label) ?? [])].sort((a, b) => b[1] - a[1])[0] ?? [];
    return queue && depth ? `${queue} held up to ${depth} messages` : 'no queue held messages';
  };
  const [first] = this.throughput;
  const lines = [
    `${first?.[0]}: ${first?.[1].toFixed(1)} orders/s (${deepestQueue(first?.[0] ?? '')})`,
    ...growth.map(
      (step) =>
        `${step.label}: ${step.perSecond.toFixed(1)} orders/s, ${step.ratio.toFixed(2)}x "${step.before}" (${deepestQueue(step.label)})`,
    ),
    stopped
      ? `stops growing at "${stopped.before}": "${stopped.label}" adds less than ${Math.round((growthThreshold - 1) * 100)}%; in its burst ${deepestQueue(stopped.label)}, where the work waited`
      : `still growing at "${growth.at(-1)?.label}": no bound reached`,
  ];
  this.log(lines.join('\n'));
  await this.attach(lines.join('\n'), { mediaType: 'text/plain', fileName: 'throughput-growth.txt' });
});
