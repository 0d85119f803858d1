// The RabbitMQ contract of the pipeline: exchanges, queues, routing keys and priorities, declared idempotently.
import type { Channel } from 'amqplib';

export type Segment = 'b2c' | 'b2b';
export const segments: readonly Segment[] = ['b2c', 'b2b'];

export const exchanges = {
  orders: 'orders',
  pricing: 'pricing',
} as const;

export const queues = {
  mesOrders: 'mes.orders',
  pricingRequests: 'pricing.requests',
  mesPricingResults: 'mes.pricing-results',
} as const;

export const routingKeys = {
  orderCreated: (segment: Segment) => `order.created.${segment}`,
  pricingRequested: 'pricing.requested',
  pricingCompleted: 'pricing.completed',
  pricingFailed: 'pricing.failed',
} as const;

/** Every work queue has a fanout dead-letter exchange and queue of the same name plus ".dead". */
export const deadLetterOf = (queue: string) => `${queue}.dead`;

/** Header a consumer sets on a message it dead-letters itself, saying why. */
export const rejectionReasonHeader = 'x-rejection-reason';

export const maxPriority = 10;
/** B2C orders are priced ahead of B2B orders waiting in the same queue. */
export const priorityOf = (segment: Segment): number => (segment === 'b2c' ? 8 : 2);

const bindings: ReadonlyArray<{ queue: string; exchange: string; keys: readonly string[] }> = [
  { queue: queues.mesOrders, exchange: exchanges.orders, keys: ['order.created.*'] },
  { queue: queues.pricingRequests, exchange: exchanges.pricing, keys: [routingKeys.pricingRequested] },
  {
    queue: queues.mesPricingResults,
    exchange: exchanges.pricing,
    keys: [routingKeys.pricingCompleted, routingKeys.pricingFailed],
  },
];

/** Declares the whole topology; every service does it at start so that no message is ever unroutable. */
export async function declareTopology(channel: Channel): Promise<void> {
  await channel.assertExchange(exchanges.orders, 'topic', { durable: true });
  await channel.assertExchange(exchanges.pricing, 'topic', { durable: true });
  for (const { queue, exchange, keys } of bindings) {
    const deadLetter = deadLetterOf(queue);
    await channel.assertExchange(deadLetter, 'fanout', { durable: true });
    await channel.assertQueue(deadLetter, { durable: true });
    await channel.bindQueue(deadLetter, deadLetter, '');
    await channel.assertQueue(queue, {
      durable: true,
      maxPriority,
      deadLetterExchange: deadLetter,
    });
    for (const key of keys) await channel.bindQueue(queue, exchange, key);
  }
}

export const allQueues: readonly string[] = bindings.flatMap(({ queue }) => [queue, deadLetterOf(queue)]);
