// What a failed scenario attaches to say why: where each of its orders stopped, the queues of the
// run (depth and consumers), the run's dead letters, and the log tail of the component at fault.

import type { ComponentName } from '../../src/config/schema.ts';
import { type QueueFigures, queueFigures } from '../../src/drivers/broker-queues.ts';
import type { BusMessage } from '../../src/drivers/bus-observer.ts';
import { type JourneyHop, journeyNow, whereItStopped } from './journey.ts';
import type { MesWorld } from './world.ts';

/** The component that should have produced each hop: the one whose log explains a missing hop. */
const responsibleFor: Record<string, ComponentName> = {
  'CRM answered': 'crm',
  'order.created on the bus': 'crm',
  'MES received': 'mes',
  'pricing.requested on the bus': 'mes',
  'pricing.completed on the bus': 'pricing',
  'MES shows the price': 'mes',
  // The dashboard is served by MES: its log says whether the page's requests failed.
  'dashboard shows it': 'mes',
};

export interface Diagnosis {
  orders: Array<{ orderId: string; stopped: string; hops: JourneyHop[] }>;
  queues: QueueFigures[] | string;
  deadLetters: Array<{ exchange: string; routingKey: string; reason: unknown; body: unknown }>;
  /** Messages the CRM and MES wrote and the broker has not confirmed yet. */
  unsentOutbox: Record<string, number | string>;
  logTails: Record<string, string>;
}

const isDeadLetter = (message: BusMessage) => message.exchange.endsWith('.dead');

export async function diagnose(world: MesWorld): Promise<Diagnosis> {
  const bus = (await world.bus()).seen();
  const orders = await Promise.all(
    world.orders
      .filter((order) => order.id)
      .map(async (order) => {
        const hops = await journeyNow(world, order, bus);
        return { orderId: order.id ?? '', stopped: whereItStopped(hops), hops };
      }),
  );
  const atFault = new Set(
    orders.flatMap(({ hops }) => {
      const missing = hops.find((hop) => hop.at === undefined);
      const component = missing ? responsibleFor[missing.hop] : undefined;
      return component ? [component] : [];
    }),
  );
  const { managementUrl, vhost } = world.endpoints.rabbitmq;
  const logTails: Record<string, string> = {};
  for (const component of atFault) {
    logTails[component] = await world.chaos
      .logTail(component, 30)
      .catch((error: Error) => `(no log: ${error.message})`);
  }
  return {
    orders,
    queues: managementUrl
      ? await queueFigures(managementUrl, vhost).catch((error: Error) => `unavailable: ${error.message}`)
      : 'unavailable: no management API URL',
    deadLetters: bus.filter(isDeadLetter).map((message) => ({
      exchange: message.exchange,
      routingKey: message.routingKey,
      reason: message.headers['x-rejection-reason'],
      body: message.body,
    })),
    unsentOutbox: Object.fromEntries(
      await Promise.all(
        (['crm', 'mes'] as const).map(async (owner) => [
          owner,
          await world.database.unsentOutbox(owner).catch((error: Error) => `unavailable: ${error.message}`),
        ]),
      ),
    ),
    logTails,
  };
}
