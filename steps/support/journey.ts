// The journey of an order: when each hop of the pipeline was seen, from the CRM's answer to MES
// showing the price. Attached to the scenario, and named in a failure to say where the order stopped.
import type { BusMessage } from '../../src/drivers/bus-observer.ts';
import type { MesOrder } from '../../src/drivers/mes-client.ts';
import type { MesWorld, PlacedOrder } from './world.ts';

export interface JourneyHop {
  hop: string;
  at: string | undefined;
  /** Milliseconds after the CRM answered. */
  afterMs: number | undefined;
}

const orderIdOf = (message: BusMessage) => (message.body as { orderId?: string } | null)?.orderId;

export function journeyOf(
  order: PlacedOrder,
  bus: readonly BusMessage[],
  mes: MesOrder | undefined,
  /** When the dashboard showed each order; only orders a scenario looked for there have this hop. */
  dashboardSaw?: ReadonlyMap<string, number | undefined>,
): JourneyHop[] {
  const mine = bus.filter((message) => order.id !== undefined && orderIdOf(message) === order.id);
  const firstSeen = (routingKey: (key: string) => boolean) =>
    mine.find((m) => routingKey(m.routingKey))?.seenAt;
  const moments: Array<[string, number | undefined]> = [
    ['CRM answered', order.answer.answeredAt],
    ['order.created on the bus', firstSeen((key) => key.startsWith('order.created.'))],
    ['MES received', mes ? Date.parse(mes.receivedAt) : undefined],
    ['pricing.requested on the bus', firstSeen((key) => key === 'pricing.requested')],
    [
      'pricing.completed on the bus',
      firstSeen((key) => key === 'pricing.completed' || key === 'pricing.failed'),
    ],
    ['MES shows the price', mes?.pricedAt ? Date.parse(mes.pricedAt) : undefined],
  ];
  if (order.id && dashboardSaw?.has(order.id))
    moments.push(['dashboard shows it', dashboardSaw.get(order.id)]);
  return moments.map(([hop, at]) => ({
    hop,
    at: at === undefined ? undefined : new Date(at).toISOString(),
    afterMs: at === undefined ? undefined : at - order.answer.answeredAt,
  }));
}

/** "stopped after <hop>": the last hop seen, for a failure message. */
export function whereItStopped(journey: readonly JourneyHop[]): string {
  const missing = journey.find((hop) => hop.at === undefined);
  if (!missing) return 'it went through every hop';
  const reached = journey.filter((hop) => hop.at !== undefined).at(-1);
  return `it stopped before "${missing.hop}"${reached ? ` (last seen: ${reached.hop})` : ''}`;
}

/**
 * The order's journey as the scenario sees it now: the bus messages seen so far (or `bus`, read once
 * for many orders), MES's record of it, and the dashboard when the scenario looked for it there.
 */
export async function journeyNow(
  world: MesWorld,
  order: PlacedOrder,
  bus?: readonly BusMessage[],
): Promise<JourneyHop[]> {
  return journeyOf(
    order,
    bus ?? (await world.bus()).seen(),
    order.id ? await world.mes.findOrder(order.id).catch(() => undefined) : undefined,
    world.dashboardSaw,
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
