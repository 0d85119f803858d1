// Consumes one queue with manual acks after the handler's own commit; poison messages are
// dead-lettered with a reason, transient failures wait for the dependency, nothing loops forever.
import type { ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import { retryWhileTransient } from './backoff.ts';
import type { Logger } from './logger.ts';
import { deadLetterOf, rejectionReasonHeader } from './topology.ts';

/** Thrown by a parser or handler for a message that can never be processed. */
export class PoisonMessageError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'PoisonMessageError';
  }
}

export interface ConsumerSpec<T> {
  queue: string;
  prefetch: number;
  parse(message: ConsumeMessage): T;
  handle(value: T, message: ConsumeMessage): Promise<void>;
  /** Errors for which the handler waits and tries again (a database restart) instead of dead-lettering. */
  isTransient(error: unknown): boolean;
  /**
   * Fault injection for the harness's own tests, never in normal use: ack each valid message on receipt,
   * before the handler commits, and run the handler once. A handler that fails then loses the message:
   * the broker has forgotten it, and there is no retry and no dead letter.
   */
  ackBeforeCommit?: boolean;
  /**
   * Fault injection for the harness's own tests: consume as the queue's only consumer. Another instance
   * is refused (RESOURCE_LOCKED), so starting more instances adds nothing: a service that cannot scale out.
   */
  exclusive?: boolean;
}

export interface Consumer {
  /** Stops taking new messages and waits for the ones in flight. */
  stop(): Promise<void>;
}

export function createConsumer<T>(
  spec: ConsumerSpec<T>,
  log: Logger,
): Consumer & {
  attach(model: ChannelModel): Promise<void>;
} {
  const inFlight = new Set<Promise<void>>();
  const shutdown = new AbortController();
  let active: { channel: ConfirmChannel; consumerTag: string } | undefined;

  async function deadLetter(channel: ConfirmChannel, message: ConsumeMessage, reason: string): Promise<void> {
    const { properties, fields } = message;
    log.warn(
      { queue: spec.queue, messageId: properties.messageId, correlationId: properties.correlationId, reason },
      'dead-lettering message',
    );
    channel.publish(deadLetterOf(spec.queue), fields.routingKey, message.content, {
      ...properties,
      headers: {
        ...properties.headers,
        [rejectionReasonHeader]: reason,
        'x-original-exchange': fields.exchange,
        'x-original-routing-key': fields.routingKey,
      },
      persistent: true,
    });
    await channel.waitForConfirms();
  }

  async function handleDelivery(
    channel: ConfirmChannel,
    closed: AbortSignal,
    message: ConsumeMessage,
  ): Promise<void> {
    const ids = { messageId: message.properties.messageId, correlationId: message.properties.correlationId };
    try {
      let value: T;
      try {
        value = spec.parse(message);
      } catch (error) {
        await deadLetter(channel, message, `unparseable or invalid message: ${(error as Error).message}`);
        channel.ack(message);
        return;
      }
      if (spec.ackBeforeCommit) {
        channel.ack(message);
        await spec
          .handle(value, message)
          .catch((error: Error) =>
            log.error({ ...ids, err: error.message }, 'handler failed after the ack; message lost'),
          );
        return;
      }
      await retryWhileTransient(() => spec.handle(value, message), {
        isTransient: spec.isTransient,
        signal: AbortSignal.any([shutdown.signal, closed]),
        onRetry: (error, attempt, wait) =>
          log.warn(
            { ...ids, err: (error as Error).message, attempt, wait },
            'dependency unavailable; retrying',
          ),
      });
      channel.ack(message);
    } catch (error) {
      // The delivering channel is gone: the broker already put the message back for redelivery.
      if (closed.aborted) return;
      if (shutdown.signal.aborted) {
        channel.nack(message, false, true);
        return;
      }
      await deadLetter(channel, message, `handler failed: ${(error as Error).message}`);
      channel.ack(message);
    }
  }

  function track(channel: ConfirmChannel, closed: AbortSignal, message: ConsumeMessage): void {
    const work = handleDelivery(channel, closed, message)
      .catch((error: Error) => {
        // The channel closed under us (broker restart): the broker redelivers, the handler is idempotent.
        log.warn(
          { queue: spec.queue, messageId: message.properties.messageId, err: error.message },
          'ack failed',
        );
      })
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
  }

  return {
    async attach(model) {
      if (shutdown.signal.aborted) return;
      const channel = await model.createConfirmChannel();
      const closed = new AbortController();
      channel.on('close', () => closed.abort());
      channel.on('error', (error: Error) =>
        log.warn({ queue: spec.queue, err: error.message }, 'consumer channel error'),
      );
      await channel.prefetch(spec.prefetch);
      const { consumerTag } = await channel.consume(
        spec.queue,
        (message) => {
          if (message) track(channel, closed.signal, message);
        },
        { exclusive: spec.exclusive === true },
      );
      active = { channel, consumerTag };
      log.info({ queue: spec.queue, prefetch: spec.prefetch }, 'consuming');
    },
    async stop() {
      shutdown.abort();
      const current = active;
      active = undefined;
      if (current) await current.channel.cancel(current.consumerTag).catch(() => {});
      await Promise.allSettled([...inFlight]);
      if (current) await current.channel.close().catch(() => {});
    },
  };
}
