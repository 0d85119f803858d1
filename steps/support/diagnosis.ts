// What a failed scenario attaches to say why: where each of its orders stopped, the queues of the
// run (depth and consumers), the run's dead letters, and the log tail of the component responsible
// for the hop where an order stopped (the journey description names it).

import { type QueueFigures, queueFigures } from '../../src/drivers/broker-queues.ts';
import { deadLetterReason } from '../../src/drivers/bus-capture.ts';
import type { BusMessage } from '../../src/drivers/bus-observer.ts';
import { responsibleFor, whereItStopped } from '../../src/journey/hops.ts';
import { type JourneyHop, journeyNow } from './journey.ts';
import type { MesWorld } from './world.ts';

export interface Diagnosis {
  orders: Array<{
    orderId: string;
    stopped: string;
    hops: JourneyHop[];
    unknownBecause: string[];
    /** The components whose hop the order may have stopped at: their log tails are below. */
    responsible: string[];
  }>;
  queues: QueueFigures[] | string;
  deadLetters: Array<{ exchange: string; routingKey: string; reason: unknown; body: unknown }>;
  /** Messages the reference CRM and MES wrote and the broker has not confirmed yet (no database: why not). */
  unsentOutbox: Record<string, number | string> | string;
  logTails: Record<string, string>;
}

/** A message on one of the dead-letter exchanges the AsyncAPI document names. */
const isDeadLetter = (world: MesWorld) => (message: BusMessage) =>
  world.parameters.deadLetterExchanges.includes(message.exchange);

export async function diagnose(world: MesWorld): Promise<Diagnosis> {
  const bus = (await world.bus()).seen();
  const orders = await Promise.all(
    world.orders
      .filter((order) => order.id)
      .map(async (order) => {
        const journey = await journeyNow(world, order, bus);
        return {
          orderId: order.id ?? '',
          stopped: whereItStopped(journey),
          hops: journey.hops,
          unknownBecause: journey.unknownBecause,
          responsible: responsibleFor(journey),
        };
      }),
  );
  const atFault = new Set(orders.flatMap(({ responsible }) => responsible));
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
    deadLetters: bus.filter(isDeadLetter(world)).map((message) => ({
      exchange: message.exchange,
      routingKey: message.routingKey,
      reason: deadLetterReason(message.headers),
      body: message.body,
    })),
    unsentOutbox: await unsentOutboxes(world),
    logTails,
  };
}

/** The reference services' outboxes (the crm and mes schemas), where the pipeline has a database. */
async function unsentOutboxes(world: MesWorld): Promise<Diagnosis['unsentOutbox']> {
  if (!world.endpoints.postgres) return 'not applicable: the pipeline has no database';
  const unsent = (owner: 'crm' | 'mes') =>
    world.database.unsentOutbox(owner).catch((error: Error) => `unavailable: ${error.message}`);
  return { crm: await unsent('crm'), mes: await unsent('mes') };
}
