// Watches the pipeline's exchanges from the side: its own exclusive queues see every message of the
// vhost without taking any from the services' queues.
import amqp, { type ChannelModel, type ConsumeMessage } from 'amqplib';
import { eventually } from '../../src/wait/eventually.ts';

export interface SeenMessage {
  exchange: string;
  routingKey: string;
  body: Record<string, unknown>;
  properties: ConsumeMessage['properties'];
}

export interface BusObserver {
  seen: SeenMessage[];
  /** Waits until `count` messages match, and returns them. */
  waitFor(
    match: (message: SeenMessage) => boolean,
    count: number,
    within: number,
    description: string,
  ): Promise<SeenMessage[]>;
  publishRaw(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options?: amqp.Options.Publish,
  ): Promise<void>;
  close(): Promise<void>;
}

export async function observeBus(amqpUrl: string, exchanges: readonly string[]): Promise<BusObserver> {
  const connection: ChannelModel = await amqp.connect(amqpUrl);
  const channel = await connection.createConfirmChannel();
  const seen: SeenMessage[] = [];
  for (const exchange of exchanges) {
    await channel.assertExchange(exchange, exchange.endsWith('.dead') ? 'fanout' : 'topic', {
      durable: true,
    });
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    await channel.bindQueue(queue, exchange, exchange.endsWith('.dead') ? '' : '#');
    await channel.consume(
      queue,
      (message) => {
        if (!message) return;
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(message.content.toString('utf8')) as Record<string, unknown>;
        } catch {
          body = { raw: message.content.toString('utf8') };
        }
        seen.push({ exchange, routingKey: message.fields.routingKey, body, properties: message.properties });
      },
      { noAck: true },
    );
  }
  return {
    seen,
    waitFor: (match, count, within, description) =>
      eventually(
        () => {
          const found = seen.filter(match);
          if (found.length >= count) return found;
          throw new Error(`${found.length} of ${count} seen`);
        },
        { within, description },
      ),
    async publishRaw(exchange, routingKey, content, options = {}) {
      channel.publish(exchange, routingKey, content, options);
      await channel.waitForConfirms();
    },
    close: () => connection.close(),
  };
}
