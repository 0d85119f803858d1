// Watches the pipeline's bus without taking part: an exclusive, auto-deleted queue of its own bound
// to every exchange of the pipeline (and to the dead-letter exchanges), so it receives a copy of
// every message of the run and steals none. Waits resolve on the message, not on a timer.
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { DeadlineExceededError } from '../wait/eventually.ts';

export interface BusMessage {
  exchange: string;
  routingKey: string;
  headers: Readonly<Record<string, unknown>>;
  /** Parsed JSON, or the raw text when the body is not JSON (a poison message). */
  body: unknown;
  priority: number | undefined;
  messageId: string | undefined;
  /** The producer's correlation id (AMQP property): one request's messages share it. */
  correlationId: string | undefined;
  /** 2 when the producer sent it persistent (a durable queue keeps it across a broker restart). */
  deliveryMode: number | undefined;
  seenAt: number;
}

export type MessageMatch = (message: BusMessage) => boolean;

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

function parseBody(content: Buffer): unknown {
  const text = content.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

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
  const messages: BusMessage[] = [];
  const waiters = new Set<(message: BusMessage) => void>();
  await channel.consume(
    queue,
    (delivery: ConsumeMessage | null) => {
      if (!delivery) return;
      const message: BusMessage = {
        exchange: delivery.fields.exchange,
        routingKey: delivery.fields.routingKey,
        headers: delivery.properties.headers ?? {},
        body: parseBody(delivery.content),
        priority: delivery.properties.priority,
        messageId: delivery.properties.messageId,
        correlationId: delivery.properties.correlationId,
        deliveryMode: delivery.properties.deliveryMode,
        seenAt: Date.now(),
      };
      messages.push(message);
      for (const waiter of waiters) waiter(message);
    },
    { noAck: true },
  );
  return {
    seen: () => messages,
    waitFor: (match, { within, description }) =>
      new Promise((resolve, reject) => {
        const already = messages.find(match);
        if (already) return resolve(already);
        const waiter = (message: BusMessage) => {
          if (!match(message)) return;
          finish();
          resolve(message);
        };
        // The deadline of the wait, not a pause: the wait ends as soon as the message arrives.
        const deadline = setTimeout(() => {
          finish();
          reject(
            new DeadlineExceededError(
              description,
              within,
              `${messages.length} message(s) on the bus, none matching`,
            ),
          );
        }, within);
        const finish = () => {
          clearTimeout(deadline);
          waiters.delete(waiter);
        };
        waiters.add(waiter);
      }),
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
