// Watches the pipeline's bus without taking part: an exclusive, auto-deleted queue of its own bound
// to the exchanges and routing keys it is given (the journey's bus hops and the dead-letter
// exchanges), so it receives a copy of those messages and steals none. Waits resolve on the message,
// not on a timer. On a broker the run did not create it declares nothing, so it sees nothing: it says
// why instead, and whoever reads it calls what it would have seen "unknown".
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
  /** When copies began to arrive (epoch ms): a message published before may have been missed. */
  readonly since: number | undefined;
  /** Why the observer sees nothing (it may not declare a queue on this broker); undefined when it watches. */
  readonly blind: string | undefined;
  /** False once the connection is gone (the broker restarted): the observer must be opened again. */
  isOpen(): boolean;
  close(): Promise<void>;
}

/** One binding of the observer's queue: a topic pattern, a direct key, or '' for fanout and headers. */
export interface ObservedBinding {
  exchange: string;
  bindingKey: string;
  type: string;
}

export interface ObserveOptions {
  bindings: readonly ObservedBinding[];
  /** False when the broker is someone else's (brokerOwnership in endpoints.ts): nothing may be declared there. */
  mayDeclare: boolean;
  /** Whose the broker is, for saying why nothing is watched. */
  owner: string;
  /** Called with each message as it arrives (after it is kept). */
  onMessage?: (message: BusMessage) => void;
  /** False: messages are only handed to onMessage, never kept (seen() and waitFor() see none). */
  keep?: boolean;
  /** Called once when the connection is lost without close() (the broker restarted or went away). */
  onLost?: () => void;
}

export class ObserverBlindError extends Error {
  readonly code = 'OBSERVER_BLIND';
  constructor(what: string, why: string) {
    super(`${what}: the bus is not watched (${why})`);
    this.name = 'ObserverBlindError';
  }
}

/** Whether the exchange exists: a passive check, on a channel of its own (a 404 closes the channel). */
async function exchangeExists(connection: ChannelModel, exchange: string): Promise<boolean> {
  const channel = await connection.createChannel();
  channel.on('error', () => {});
  try {
    await channel.checkExchange(exchange);
    return true;
  } catch {
    return false;
  } finally {
    await channel.close().catch(() => {});
  }
}

async function bindEverything(
  connection: ChannelModel,
  channel: Channel,
  queue: string,
  bindings: readonly ObservedBinding[],
): Promise<void> {
  for (const binding of bindings) {
    // The run's own broker: an exchange the services have not declared yet is declared as the
    // contract types it (durable, as the services declare theirs), so observing first is harmless and
    // never unroutable. One that exists is left as it is: asserting it with other arguments would fail.
    if (!(await exchangeExists(connection, binding.exchange)))
      await channel.assertExchange(binding.exchange, binding.type, { durable: true });
    await channel.bindQueue(queue, binding.exchange, binding.bindingKey);
  }
}

export async function observeBus(amqpUrl: string, options: ObserveOptions): Promise<BusObserver> {
  const connection: ChannelModel = await amqp.connect(amqpUrl);
  let open = true;
  let closing = false;
  const lost = () => {
    if (open && !closing) options.onLost?.();
    open = false;
  };
  connection.on('close', lost);
  // A broker restart closes the connection with an error; the observer reports closed instead of crashing.
  connection.on('error', lost);
  let confirming: Promise<amqp.ConfirmChannel> | undefined;
  const log = createMessageLog();
  const blind = options.mayDeclare
    ? undefined
    : `the observer needs a queue of its own, and the broker is not the run's (${options.owner}): nothing is declared there`;
  let since: number | undefined;
  if (!blind) {
    const channel = await connection.createChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    await bindEverything(connection, channel, queue, options.bindings);
    // From here on every message of the bindings is copied to the queue (consumed just below).
    since = Date.now();
    await channel.consume(
      queue,
      (delivery: ConsumeMessage | null) => {
        if (!delivery) return;
        const message = busMessageOf(delivery);
        // A watch over a whole run would otherwise hold every message of it in memory.
        if (options.keep !== false) log.add(message);
        options.onMessage?.(message);
      },
      { noAck: true },
    );
  }
  return {
    seen: log.seen,
    waitFor: blind
      ? (_match, { description }) => Promise.reject(new ObserverBlindError(description, blind))
      : log.waitFor,
    since,
    blind,
    async publish(exchange, routingKey, content, options = {}) {
      confirming ??= connection.createConfirmChannel();
      const confirm = await confirming;
      confirm.publish(exchange, routingKey, content, { persistent: true, ...options });
      await confirm.waitForConfirms();
    },
    isOpen: () => open,
    async close() {
      closing = true;
      open = false;
      await connection.close().catch(() => {});
    },
  };
}
