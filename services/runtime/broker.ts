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

/**
 * Until the first connection the broker is most likely starting beside this service: a short, steady
 * pace makes the service ready soon after it. Once connected, a lost broker is retried with backoff
 * (and jitter, so that the services of a run do not all knock at the same moment).
 */
const firstConnectDelayMs = 250;
const reconnectDelayMs = (attempt: number) =>
  Math.min(5_000, 200 * 2 ** (attempt - 1)) * (1 + Math.random() * 0.2);

export async function connectBroker(url: string, options: BrokerOptions): Promise<Broker> {
  const { log } = options;
  let connected = false;
  let closing = false;
  let publishChannel: Promise<ConfirmChannel> | undefined;
  let currentModel: ChannelModel | undefined;
  let connectedOnce = false;

  const connection = await amqp.connect(url, {
    recovery: {
      waitForConnect: false,
      calculateDelay: (attempt: number) => (connectedOnce ? reconnectDelayMs(attempt) : firstConnectDelayMs),
      async setup(model: ChannelModel) {
        connectedOnce = true;
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
  let failedFirstAttempts = 0;
  connection.on('connect-failed', (error: Error) => {
    if (connectedOnce) return log.warn({ err: error.message }, 'broker connection attempt failed');
    // Before the first connection the broker is most likely still starting: say so once, not every try.
    failedFirstAttempts += 1;
    if (failedFirstAttempts === 1) log.info({ err: error.message }, 'waiting for the broker');
    else log.debug({ err: error.message, attempt: failedFirstAttempts }, 'broker not there yet');
  });
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
