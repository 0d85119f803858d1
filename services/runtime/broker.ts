// A RabbitMQ connection that recovers by itself (amqplib's recovery), re-declares the topology and
// re-runs the service's channel set-up after every reconnect.
import amqp, { type ChannelModel, type ConfirmChannel, type Options } from 'amqplib';
import { maskUrl } from './env.ts';
import type { Logger } from './logger.ts';
import { declareTopology } from './topology.ts';

export class BrokerUnavailableError extends Error {
  constructor() {
    super('RabbitMQ is not connected');
    this.name = 'BrokerUnavailableError';
  }
}

export interface OutgoingMessage {
  exchange: string;
  routingKey: string;
  payload: unknown;
  options: Options.Publish & { messageId: string };
}

export interface Broker {
  isConnected(): boolean;
  /** Publishes and resolves once the broker has confirmed every message; rejects when it cannot. */
  publish(messages: readonly OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

export interface BrokerOptions {
  log: Logger;
  /** Runs after every (re)connect, once the topology is declared: start consumers here. */
  onConnect?: (model: ChannelModel) => Promise<void>;
}

export async function connectBroker(url: string, options: BrokerOptions): Promise<Broker> {
  const { log } = options;
  let connected = false;
  let closing = false;
  let publishChannel: Promise<ConfirmChannel> | undefined;
  let currentModel: ChannelModel | undefined;

  const connection = await amqp.connect(url, {
    recovery: {
      waitForConnect: false,
      initialDelay: 200,
      maxDelay: 5_000,
      async setup(model: ChannelModel) {
        currentModel = model;
        publishChannel = undefined;
        const channel = await model.createChannel();
        await declareTopology(channel);
        await channel.close();
        // Consumers started below may deliver at once, and their handlers publish: be usable before 'connect'.
        connected = true;
        await options.onConnect?.(model);
      },
    },
  });
  connection.on('connect', () => {
    connected = true;
    log.info({ broker: maskUrl(url) }, 'broker connected');
  });
  connection.on('disconnect', (error: Error) => {
    connected = false;
    publishChannel = undefined;
    if (!closing) log.warn({ err: error?.message }, 'broker connection lost; reconnecting');
  });
  connection.on('connect-failed', (error: Error) =>
    log.warn({ err: error.message }, 'broker connection attempt failed'),
  );
  connection.on('error', (error: Error) => log.warn({ err: error.message }, 'broker connection error'));

  function openPublishChannel(model: ChannelModel): Promise<ConfirmChannel> {
    const opened = model.createConfirmChannel().then((channel) => {
      channel.on('error', (error: Error) => log.warn({ err: error.message }, 'publish channel error'));
      channel.on('close', () => {
        if (publishChannel === opened) publishChannel = undefined;
      });
      return channel;
    });
    opened.catch(() => {
      if (publishChannel === opened) publishChannel = undefined;
    });
    return opened;
  }

  return {
    isConnected: () => connected,
    async publish(messages) {
      if (!connected || !currentModel) throw new BrokerUnavailableError();
      publishChannel ??= openPublishChannel(currentModel);
      const channel = await publishChannel;
      for (const message of messages) {
        channel.publish(message.exchange, message.routingKey, Buffer.from(JSON.stringify(message.payload)), {
          persistent: true,
          contentType: 'application/json',
          timestamp: Math.floor(Date.now() / 1000),
          ...message.options,
        });
      }
      await channel.waitForConfirms();
    },
    async close() {
      closing = true;
      await connection
        .close()
        .catch((error: Error) => log.warn({ err: error.message }, 'broker close failed'));
    },
  };
}
