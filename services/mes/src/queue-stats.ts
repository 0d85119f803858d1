// Queue depths and consumer counts of the pipeline's queues, from the RabbitMQ management API.
import { allQueues } from '../../runtime/topology.ts';

export interface QueueStats {
  name: string;
  messages: number;
  ready: number;
  unacknowledged: number;
  consumers: number;
}

export type QueueStatsResult =
  | { available: true; queues: QueueStats[] }
  | { available: false; reason: string };

interface ManagementQueue {
  name: string;
  messages?: number;
  messages_ready?: number;
  messages_unacknowledged?: number;
  consumers?: number;
}

export function createQueueStatsReader(management: { url: string; vhost: string } | undefined) {
  if (!management) {
    return async (): Promise<QueueStatsResult> => ({
      available: false,
      reason: 'RABBITMQ_MANAGEMENT_URL is not set',
    });
  }
  const base = new URL(management.url);
  const authorization = `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}`;
  const endpoint = `${base.protocol}//${base.host}/api/queues/${encodeURIComponent(management.vhost)}?columns=name,messages,messages_ready,messages_unacknowledged,consumers`;
  return async (): Promise<QueueStatsResult> => {
    try {
      const response = await fetch(endpoint, {
        headers: { authorization },
        signal: AbortSignal.timeout(2_000),
      });
      if (!response.ok) return { available: false, reason: `management API answered ${response.status}` };
      const listed = new Map(
        ((await response.json()) as ManagementQueue[]).map((queue) => [queue.name, queue]),
      );
      return {
        available: true,
        queues: allQueues.map((name) => {
          const queue = listed.get(name);
          return {
            name,
            messages: queue?.messages ?? 0,
            ready: queue?.messages_ready ?? 0,
            unacknowledged: queue?.messages_unacknowledged ?? 0,
            consumers: queue?.consumers ?? 0,
          };
        }),
      };
    } catch (error) {
      return { available: false, reason: `management API unreachable: ${(error as Error).message}` };
    }
  };
}
