// The journey of an order as the scenario sees it now: the journey description's hops (src/journey)
// from the bus observer's messages, the state read back with the journey's state operation, and the
// dashboard when the scenario looked there. Attached to the scenario, and named in a failure.
import type { BusMessage } from '../../src/drivers/bus-observer.ts';
import { readState, type StateRead } from '../../src/drivers/state-reader.ts';
import { journeyOf, type OrderJourney, whereItStopped } from '../../src/journey/hops.ts';
import type { MesWorld, PlacedOrder } from './world.ts';

export type { JourneyHop, OrderJourney } from '../../src/journey/hops.ts';

/** The order's state read back with the journey's state operation, its answer checked as every other. */
export function readOrderState(world: MesWorld, id: string): Promise<StateRead> {
  const { state } = world.journey;
  return readState(world.endpoints, state, id, { onAnswer: world.answersOf(state.component) });
}

/**
 * The order's journey now: the bus messages seen so far (or `bus`, read once for many orders), the
 * state read back, and the dashboard (the reference MES serves it) when the scenario looked for it there.
 */
export async function journeyNow(
  world: MesWorld,
  order: PlacedOrder,
  bus?: readonly BusMessage[],
): Promise<OrderJourney> {
  const observer = await world.bus();
  const { journey } = world;
  const state = order.id ? await readOrderState(world, order.id) : ({ outcome: 'not found' } as const);
  const { answeredAt, elapsedMs } = order.answer;
  return journeyOf(
    journey,
    { id: order.id, sentAt: answeredAt - elapsedMs, answeredAt },
    {
      messages: bus ?? observer.seen(),
      since: observer.since,
      blind: observer.blind,
      unwatchable: world.busWatch.unwatchable,
    },
    state,
    order.id && world.dashboardSaw.has(order.id)
      ? [{ hop: 'dashboard shows it', component: 'mes', at: world.dashboardSaw.get(order.id) }]
      : [],
  );
}

/** A wait that ran out, told with where the order stopped on its way. */
export async function withWhereItStopped(
  world: MesWorld,
  order: PlacedOrder,
  error: unknown,
): Promise<Error> {
  const stopped = whereItStopped(await journeyNow(world, order));
  return new Error(`${(error as Error).message}; ${stopped}`, { cause: error });
}
