// Watching for generic AMQP expectations starts before a scenario's first step: every exchange its
// steps name (`exchange "X"`, with the step's `routing key "K"` as binding key, "#" without one) and
// every queue a dead letter is expected on (`to queue "Q"`, bound as Q is) is captured from the start,
// so a message caused by an earlier step is never missed. Names with placeholders are watched from
// their step on. Nothing is declared on a broker the run does not own; the steps say why.
import { After, Before, BeforeStep } from '@cucumber/cucumber';
import { queueBindings } from '../../src/drivers/broker-queues.ts';
import type { MesWorld } from './world.ts';

const quoted = (label: string) => new RegExp(`\\b${label} "((?:[^"\\\\]|\\\\.)*)"`);
const exchangeIn = quoted('exchange');
const routingKeyIn = quoted('routing key');
const deadLetterQueueIn = quoted('dead-lettered to queue');

export interface Watch {
  exchange: string;
  bindingKey: string;
  arguments?: Record<string, unknown>;
}

/** The exchanges and keys the step texts name, placeholders left out (they are known only later). */
export function watchesNamedIn(texts: readonly string[]): { exchanges: Watch[]; queues: string[] } {
  const exchanges: Watch[] = [];
  const queues: string[] = [];
  for (const text of texts) {
    const exchange = exchangeIn.exec(text)?.[1];
    const bindingKey = routingKeyIn.exec(text)?.[1] ?? '#';
    if (exchange !== undefined && !`${exchange}${bindingKey}`.includes('{'))
      exchanges.push({ exchange, bindingKey });
    const queue = deadLetterQueueIn.exec(text)?.[1];
    if (queue !== undefined && !queue.includes('{')) queues.push(queue);
  }
  return { exchanges, queues };
}

/** How a dead letter that lands in the queue is seen: the queue's own bindings, copied. */
export async function watchesOfQueue(world: MesWorld, queue: string): Promise<Watch[]> {
  const { managementUrl, vhost } = world.endpoints.rabbitmq;
  if (!managementUrl) {
    throw new Error(
      `expecting a dead letter on queue "${queue}" needs RabbitMQ's management API (rabbitmq.managementUrl) to read its bindings; name its dead-letter exchange instead`,
    );
  }
  const bindings = await queueBindings(managementUrl, vhost, queue);
  if (bindings.length === 0) throw new Error(`no exchange routes into queue "${queue}"`);
  return bindings.map((binding) => ({
    exchange: binding.exchange,
    bindingKey: binding.routingKey,
    arguments: binding.arguments,
  }));
}

Before(async function (this: MesWorld, { pickle }) {
  const named = watchesNamedIn(pickle.steps.map((step) => step.text));
  if (named.exchanges.length + named.queues.length === 0) return;
  if (!this.generic.brokerOwnership().mayDeclare) return;
  const capture = await this.generic.capture();
  const ofQueues = await Promise.all(
    named.queues.map((queue) => watchesOfQueue(this, queue).catch(() => [] as Watch[])),
  );
  // Best effort: a binding refused here (no such exchange yet) is tried again, and explained, by its step.
  await Promise.all(
    [...named.exchanges, ...ofQueues.flat()].map((watch) =>
      capture.watch(watch.exchange, watch.bindingKey, watch.arguments).catch(() => {}),
    ),
  );
});

After(async function (this: MesWorld) {
  const capture = await this.generic.usedCapture()?.catch(() => undefined);
  await capture?.close();
});

// Cucumber hands a step its doc string's text only; its media type ("""text) says how to send it.
BeforeStep(function (this: MesWorld, { pickleStep }) {
  this.generic.docStringMediaType = pickleStep.argument?.docString?.mediaType;
});
