// The messages a consumer of ours has seen, and waits on them that resolve on the message itself
// (already seen or arriving), bounded by a deadline: shared by the bus observer and bus captures.
import type { ConsumeMessage } from 'amqplib';
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
  contentType?: string | undefined;
  /** The AMQP `type` property: the message's kind, as the producer names it. */
  type?: string | undefined;
  timestamp?: number | undefined;
  seenAt: number;
}

export type MessageMatch = (message: BusMessage) => boolean;

function parseBody(content: Buffer): unknown {
  const text = content.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function busMessageOf(delivery: ConsumeMessage): BusMessage {
  return {
    exchange: delivery.fields.exchange,
    routingKey: delivery.fields.routingKey,
    headers: delivery.properties.headers ?? {},
    body: parseBody(delivery.content),
    priority: delivery.properties.priority,
    messageId: delivery.properties.messageId,
    correlationId: delivery.properties.correlationId,
    deliveryMode: delivery.properties.deliveryMode,
    contentType: delivery.properties.contentType,
    type: delivery.properties.type,
    timestamp: delivery.properties.timestamp,
    seenAt: Date.now(),
  };
}

export interface MessageLog {
  add(message: BusMessage): void;
  /** Every message seen so far, oldest first. */
  seen(): readonly BusMessage[];
  /** Resolves with the first message that matches (seen already or arriving), or fails at the deadline. */
  waitFor(match: MessageMatch, options: { within: number; description: string }): Promise<BusMessage>;
  /** Resolves with the first matching message seen by the deadline, or undefined when none came. */
  firstWithin(match: MessageMatch, within: number): Promise<BusMessage | undefined>;
}

export function createMessageLog(): MessageLog {
  const messages: BusMessage[] = [];
  const waiters = new Set<(message: BusMessage) => void>();
  const firstWithin = (match: MessageMatch, within: number) =>
    new Promise<BusMessage | undefined>((resolve) => {
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
        resolve(undefined);
      }, within);
      const finish = () => {
        clearTimeout(deadline);
        waiters.delete(waiter);
      };
      waiters.add(waiter);
    });
  return {
    add(message) {
      messages.push(message);
      for (const waiter of waiters) waiter(message);
    },
    seen: () => messages,
    firstWithin,
    async waitFor(match, { within, description }) {
      const found = await firstWithin(match, within);
      if (found) return found;
      throw new DeadlineExceededError(
        description,
        within,
        `${messages.length} message(s) on the bus, none matching`,
      );
    },
  };
}
