// Watches the pipeline's bus without taking part: an exclusive, auto-deleted queue of its own bound
// to every exchange of the pipeline (and to the dead-letter exchanges), so it receives a copy of
// every message of the run and steals none. Waits resolve on the message, not on a timer.
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { type BusMessage, busMessageOf, createMessageLog, type MessageMatch } from './message-log.ts';

export type { BusMessage, MessageMatch };

export interface BusObserver {
  /** Every message seen so far, oldest first. */
  seen(): readonly BusMessage[];
  /** Resolves with the first message that matches (seen already or arriving), or fails at the deadline. */
  waitFor(match: MessageMatch, options: { within: number; description: string }): Promise<BusMessage>;
  /** Publishes as a producer would (publisher confirms), e.g. a duplicate or a poison message. */
  publish(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options?: amqp.Options.Publish,
  ): Promise<void>;
  /** False once the connection is gone (the broker restarted): the observer must be opened again. */
  isOpen(): boolean;
  close(): Promise<void>;
}

/** The pipeline's exchanges: topic exchanges bound with '#', fanout dead-letter exchanges. */
export const observedExchanges = {
  topic: ['orders', 'pricing'],
  fanout: ['mes.orders.dead', 'pricing.requests.dead', 'mes.pricing-results.dead'],
} as const;

async function bindEverything(channel: Channel, queue: string): Promise<void> {
  // Declared as the services declare them, so observing first is harmless and never unroutable.
  for (const exchange of observedExchanges.topic) {
    await channel.assertExchange(exchange, 'topic', { durable: true });
    await channel.bindQueue(queue, exchange, '#');
  }
  for (const exchange of observedExchanges.fanout) {
    await channel.assertExchange(exchange, 'fanout', { durable: true });
    await channel.bindQueue(queue, exchange, '');
  }
}

export async function observeBus(amqpUrl: string): Promise<BusObserver> {
  const connection: ChannelModel = await amqp.connect(amqpUrl);
  let open = true;
  connection.on('close', () => {
    open = false;
  });
  // A broker restart closes the connection with an error; the observer reports closed instead of crashing.
  connection.on('error', () => {
    open = false;
  });
  const channel = await connection.createChannel();
  let confirming: Promise<amqp.ConfirmChannel> | undefined;
  const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
  await bindEverything(channel, queue);
  const log = createMessageLog();
  await channel.consume(
    queue,
    (delivery: ConsumeMessage | null) => {
      if (delivery) log.add(busMessageOf(delivery));
    },
    { noAck: true },
  );
  return {
    seen: log.seen,
    waitFor: log.waitFor,
    async publish(exchange, routingKey, content, options = {}) {
      confirming ??= connection.createConfirmChannel();
      const confirm = await confirming;
      confirm.publish(exchange, routingKey, content, { persistent: true, ...options });
      await confirm.waitForConfirms();
    },
    isOpen: () => open,
    async close() {
      open = false;
      await connection.close().catch(() => {});
    },
  };
}
