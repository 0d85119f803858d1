// Queue depths and consumer counts of the run's vhost, from the RabbitMQ management API: what a
// failure diagnosis shows about where work piles up.
import amqp from 'amqplib';
import axios from 'axios';
import { managementAccess } from './probes.ts';

export interface QueueFigures {
  name: string;
  messages: number;
  ready: number;
  unacknowledged: number;
  consumers: number;
}

/** One request that lists every queue of the vhost (a sampler's one request per sample). */
export async function queueFigures(
  managementUrl: string,
  vhost: string,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<QueueFigures[]> {
  const { origin, authorization } = managementAccess(managementUrl);
  const response = await axios.get<Array<Record<string, unknown>>>(
    `${origin}/api/queues/${encodeURIComponent(vhost)}`,
    {
      headers: { authorization },
      timeout: options.timeoutMs ?? 5_000,
      ...(options.signal ? { signal: options.signal } : {}),
      params: { columns: 'name,messages,messages_ready,messages_unacknowledged,consumers' },
    },
  );
  return response.data
    .filter((queue) => !String(queue.name).startsWith('amq.gen-'))
    .map((queue) => ({
      name: String(queue.name),
      messages: Number(queue.messages ?? 0),
      ready: Number(queue.messages_ready ?? 0),
      unacknowledged: Number(queue.messages_unacknowledged ?? 0),
      consumers: Number(queue.consumers ?? 0),
    }));
}

/**
 * The queues of the vhost that the given dead-letter exchanges route to: where dead letters land.
 * One request for the vhost's bindings; the observers' own server-named queues are left out.
 */
export async function deadLetterQueues(
  managementUrl: string,
  vhost: string,
  deadLetterExchanges: readonly string[],
  options: { timeoutMs?: number } = {},
): Promise<string[]> {
  if (deadLetterExchanges.length === 0) return [];
  const { origin, authorization } = managementAccess(managementUrl);
  const response = await axios.get<Array<Record<string, unknown>>>(
    `${origin}/api/bindings/${encodeURIComponent(vhost)}`,
    { headers: { authorization }, timeout: options.timeoutMs ?? 5_000 },
  );
  const queues = response.data
    .filter((binding) => binding.destination_type === 'queue')
    .filter((binding) => deadLetterExchanges.includes(String(binding.source)))
    .map((binding) => String(binding.destination))
    .filter((name) => !name.startsWith('amq.gen-'));
  return [...new Set(queues)].sort();
}

export interface QueueBinding {
  exchange: string;
  routingKey: string;
  arguments: Record<string, unknown>;
}

/**
 * The exchanges (and keys) that route into a queue, default exchange left out: binding a queue of our
 * own the same way shows every message that lands in it without taking any from it.
 */
export async function queueBindings(
  managementUrl: string,
  vhost: string,
  queue: string,
): Promise<QueueBinding[]> {
  const { origin, authorization } = managementAccess(managementUrl);
  const response = await axios.get<Array<Record<string, unknown>>>(
    `${origin}/api/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}/bindings`,
    { headers: { authorization }, timeout: 5_000, validateStatus: () => true },
  );
  if (response.status === 404) throw new Error(`there is no queue "${queue}" in vhost "${vhost}"`);
  if (response.status !== 200)
    throw new Error(`the management API answered ${response.status} for queue "${queue}"`);
  return response.data
    .filter((binding) => binding.source !== '')
    .map((binding) => ({
      exchange: String(binding.source),
      routingKey: String(binding.routing_key ?? ''),
      arguments: (binding.arguments ?? {}) as Record<string, unknown>,
    }));
}

/**
 * Ready messages and consumers of each queue, as the broker has them now (a passive declare over
 * AMQP): the management API's figures are sampled every few seconds, so a message published just
 * before may not show there yet. A queue that is gone is left out.
 */
export async function liveQueueCounts(
  amqpUrl: string,
  queues: readonly string[],
): Promise<Map<string, { ready: number; consumers: number }>> {
  const counts = new Map<string, { ready: number; consumers: number }>();
  const connection = await amqp.connect(amqpUrl);
  try {
    for (const queue of queues) {
      // A passive declare of a queue that is gone closes its channel: one channel each.
      const channel = await connection.createChannel();
      channel.on('error', () => {});
      try {
        const { messageCount, consumerCount } = await channel.checkQueue(queue);
        counts.set(queue, { ready: messageCount, consumers: consumerCount });
      } catch {
        // Gone since it was listed.
      } finally {
        await channel.close().catch(() => {});
      }
    }
  } finally {
    await connection.close().catch(() => {});
  }
  return counts;
}
