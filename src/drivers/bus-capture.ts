// A scenario's own view of the exchanges it names: one exclusive, auto-deleted queue, bound to each
// exchange with the routing keys the scenario speaks of, gets a copy of each such message and steals
// none; and messages published as a producer would. It declares nothing on a broker the run does not
// own: there, watching fails with the reason, and publishing (which declares nothing) still works.
import amqp, { type ChannelModel, type ConsumeMessage, type Options } from 'amqplib';
import { busMessageOf, createMessageLog, type MessageLog } from './message-log.ts';

export class BrokerNotOursError extends Error {
  readonly code = 'BROKER_NOT_OURS';
  constructor(what: string, owner: string) {
    super(
      `${what} needs a queue of this run's own on the broker, and the broker is not the run's (${owner}): the run declares no queue or exchange on a broker it did not create`,
    );
    this.name = 'BrokerNotOursError';
  }
}

export class BusCaptureError extends Error {
  readonly code = 'BUS_CAPTURE';
  constructor(message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'BusCaptureError';
  }
}

export interface BusCapture extends Pick<MessageLog, 'seen' | 'waitFor' | 'firstWithin'> {
  /** Starts copying what the exchange routes with this binding key (a topic pattern, a direct key; any for fanout). */
  watch(exchange: string, bindingKey: string, bindingArguments?: Record<string, unknown>): Promise<void>;
  /** Whether `watch(exchange, bindingKey)` was asked before. */
  isWatching(exchange: string, bindingKey: string): boolean;
  /** Publishes and resolves once the broker confirmed it; fails with the broker's reason (no such exchange...). */
  publish(exchange: string, routingKey: string, content: Buffer, options?: Options.Publish): Promise<void>;
  close(): Promise<void>;
}

export interface BusCaptureOptions {
  /** False when the broker is someone else's (brokerOwnership in endpoints.ts): nothing may be declared there. */
  mayDeclare: boolean;
  /** Whose the broker is, for the refusal (e.g. "profile staging: every component is someone else's"). */
  owner: string;
}

/** A channel of its own for each operation that the broker may refuse: a refusal closes only that channel. */
async function onOwnChannel<T>(
  connection: ChannelModel,
  confirm: boolean,
  work: (channel: amqp.ConfirmChannel | amqp.Channel) => Promise<T>,
): Promise<T> {
  const channel = confirm ? await connection.createConfirmChannel() : await connection.createChannel();
  let refusal: Error | undefined;
  channel.on('error', (error: Error) => {
    refusal = error;
  });
  try {
    return await work(channel);
  } catch (error) {
    throw refusal ?? error;
  } finally {
    await channel.close().catch(() => {});
  }
}

export async function openBusCapture(amqpUrl: string, options: BusCaptureOptions): Promise<BusCapture> {
  const connection = await amqp.connect(amqpUrl);
  // A broker restart closes the connection with an error: waits then fail at their deadline, no crash.
  connection.on('error', () => {});
  const log = createMessageLog();
  const bindings = new Map<string, Promise<void>>();
  let queueName: Promise<string> | undefined;
  const captureQueue = () => {
    queueName ??= (async () => {
      const channel = await connection.createChannel();
      channel.on('error', () => {});
      const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
      await channel.consume(
        queue,
        (delivery: ConsumeMessage | null) => {
          if (delivery) log.add(busMessageOf(delivery));
        },
        { noAck: true },
      );
      return queue;
    })();
    return queueName;
  };
  const bindingId = (exchange: string, key: string) => `${exchange}\u0000${key}`;
  return {
    seen: log.seen,
    waitFor: log.waitFor,
    firstWithin: log.firstWithin,
    isWatching: (exchange, bindingKey) => bindings.has(bindingId(exchange, bindingKey)),
    watch(exchange, bindingKey, bindingArguments) {
      if (!options.mayDeclare) {
        return Promise.reject(new BrokerNotOursError(`watching exchange "${exchange}"`, options.owner));
      }
      const id = bindingId(exchange, bindingKey);
      const known = bindings.get(id);
      if (known) return known;
      const bound = (async () => {
        const queue = await captureQueue();
        try {
          await onOwnChannel(connection, false, (channel) =>
            channel.bindQueue(queue, exchange, bindingKey, bindingArguments),
          );
        } catch (error) {
          bindings.delete(id);
          throw new BusCaptureError(
            `exchange "${exchange}" cannot be watched (binding key "${bindingKey}"): ${(error as Error).message}`,
            error,
          );
        }
      })();
      bindings.set(id, bound);
      return bound;
    },
    async publish(exchange, routingKey, content, publishOptions = {}) {
      try {
        await onOwnChannel(connection, true, async (channel) => {
          channel.publish(exchange, routingKey, content, { persistent: true, ...publishOptions });
          await (channel as amqp.ConfirmChannel).waitForConfirms();
        });
      } catch (error) {
        throw new BusCaptureError(
          `publishing to exchange "${exchange}" with routing key "${routingKey}" failed: ${(error as Error).message}`,
          error,
        );
      }
    },
    async close() {
      await connection.close().catch(() => {});
    },
  };
}

/**
 * Why a message was dead-lettered: the broker's reason when the broker did it (x-first-death-reason,
 * x-death: rejected, expired, maxlen, delivery_limit), else the x-rejection-reason header a consumer
 * that dead-letters by publishing may set; undefined when neither is there.
 */
export function deadLetterReason(headers: Readonly<Record<string, unknown>>): string | undefined {
  const first = headers['x-first-death-reason'];
  if (typeof first === 'string') return first;
  const deaths = headers['x-death'];
  if (Array.isArray(deaths)) {
    const reason = (deaths[0] as { reason?: unknown } | undefined)?.reason;
    if (typeof reason === 'string') return reason;
  }
  const given = headers['x-rejection-reason'];
  return typeof given === 'string' ? given : undefined;
}
