// Queue depths and consumer counts of the run's vhost, from the RabbitMQ management API: what a
// failure diagnosis shows about where work piles up.
import axios from 'axios';
import { managementAccess } from './probes.ts';

export interface QueueFigures {
  name: string;
  messages: number;
  ready: number;
  unacknowledged: number;
  consumers: number;
}

export async function queueFigures(managementUrl: string, vhost: string): Promise<QueueFigures[]> {
  const { origin, authorization } = managementAccess(managementUrl);
  const response = await axios.get<Array<Record<string, unknown>>>(
    `${origin}/api/queues/${encodeURIComponent(vhost)}`,
    {
      headers: { authorization },
      timeout: 5_000,
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
