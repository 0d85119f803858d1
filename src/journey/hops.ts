// The journey of one order, from the journey description: when each hop was seen (the creating
// answer, the first message of each bus hop about the order, the moments the state read back gives,
// and the state reaching "done"), which hops cannot be known, and where the order stopped.
import type { Journey } from '../config/journey.ts';
import type { BusMessage } from '../drivers/bus-observer.ts';
import type { StateRead } from '../drivers/state-reader.ts';
import { valueAtOrUndefined } from '../match/json-path.ts';
import { firstOfHop } from './bus-watch.ts';

export interface JourneyHop {
  hop: string;
  /** The component responsible for it: the one whose log explains it not happening. */
  component: string;
  at: string | undefined;
  /** Milliseconds after the create operation answered. */
  afterMs: number | undefined;
  /** Whether it happened cannot be known (nothing could have seen it): never guessed either way. */
  unknown?: true;
  /** The state read back, on the state hop. */
  state?: string;
}

export interface OrderJourney {
  hops: JourneyHop[];
  /** Why the unknown hops are unknown, each reason once. */
  unknownBecause: string[];
}

/** The order as the create operation answered it. */
export interface CreatedOrder {
  /** Undefined when the create operation refused it. */
  id: string | undefined;
  /** When the request was sent and when its answer arrived (epoch ms). */
  sentAt: number;
  answeredAt: number;
}

/** What the bus observer saw, and what it could not have seen. */
export interface BusSight {
  messages: readonly BusMessage[];
  /** When copies began to arrive; undefined when the observer sees nothing. */
  since: number | undefined;
  /** Why the observer sees nothing at all. */
  blind: string | undefined;
  /** Bus hops no binding can copy (their channel is a queue...), with why (from busWatchOf). */
  unwatchable: Readonly<Record<string, string>>;
}

/** A moment in an answer: an ISO date-time, or epoch milliseconds. */
function momentOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string') return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** The state value of a state read back (at the journey's `state` JSON path), if it has one. */
export function stateValueOf(journey: Journey, body: unknown): string | undefined {
  const value = valueAtOrUndefined(body, journey.state.state);
  return typeof value === 'string' ? value : undefined;
}

export type Stage = keyof Journey['state']['states'];

/** Which stage of the journey a state read back is at (received, inProgress, done, failed), if any. */
export function stageOf(journey: Journey, state: StateRead): Stage | undefined {
  if (state.outcome !== 'found') return undefined;
  const value = stateValueOf(journey, state.body);
  if (value === undefined) return undefined;
  const { states } = journey.state;
  return (Object.keys(states) as Stage[]).find((stage) => states[stage].includes(value));
}

/** Whether the state read back is one the journey calls done. */
export function isDone(journey: Journey, state: StateRead): boolean {
  if (state.outcome !== 'found') return false;
  const value = stateValueOf(journey, state.body);
  return value !== undefined && journey.state.states.done.includes(value);
}

type Sighting = { at: number | undefined } | { unknown: string };

export function journeyOf(
  journey: Journey,
  order: CreatedOrder,
  bus: BusSight,
  state: StateRead,
  /** Hops seen elsewhere, after the journey's own (the reference dashboard). */
  alsoSeen: ReadonlyArray<{ hop: string; component: string; at: number | undefined }> = [],
): OrderJourney {
  const stateUnknown =
    state.outcome === 'no answer'
      ? `${journey.state.component} did not answer ${journey.state.method} ${journey.state.path}: ${state.why}`
      : undefined;
  const stateBody = state.outcome === 'found' ? state.body : undefined;
  const hops: Array<{ hop: string; component: string; sighting: Sighting; state?: string }> = [
    {
      hop: journey.create.name,
      component: journey.create.component,
      sighting: { at: order.answeredAt },
    },
  ];
  for (const hop of journey.hops) {
    let sighting: Sighting;
    if (order.id === undefined) sighting = { at: undefined };
    else if (hop.kind === 'state')
      sighting = stateUnknown
        ? { unknown: stateUnknown }
        : { at: momentOf(valueAtOrUndefined(stateBody, hop.at)) };
    else if (bus.blind) sighting = { unknown: bus.blind };
    else if (bus.unwatchable[hop.name]) sighting = { unknown: `${hop.name}: ${bus.unwatchable[hop.name]}` };
    else {
      const first = firstOfHop(hop, order.id, bus.messages);
      if (first) sighting = { at: first.seenAt };
      else if (bus.since === undefined || bus.since > order.sentAt)
        // Opened again after the order was placed (the broker restarted): its message may have gone by.
        sighting = { unknown: 'the bus observer began watching after the order was placed' };
      else sighting = { at: undefined };
    }
    hops.push({ hop: hop.name, component: hop.component, sighting });
  }
  const stateValue = stateValueOf(journey, stateBody);
  const done = isDone(journey, state);
  hops.push({
    hop: journey.state.name,
    component: journey.state.component,
    sighting:
      order.id === undefined
        ? { at: undefined }
        : stateUnknown
          ? { unknown: stateUnknown }
          : {
              at: done
                ? (momentOf(journey.state.at ? valueAtOrUndefined(stateBody, journey.state.at) : undefined) ??
                  (state.outcome === 'found' ? state.readAt : undefined))
                : undefined,
            },
    ...(stateValue === undefined ? {} : { state: stateValue }),
  });
  for (const seen of alsoSeen) hops.push({ ...seen, sighting: { at: seen.at } });
  notMissedBeforeALaterHop(hops);

  const unknownBecause = new Set<string>();
  return {
    hops: hops.map(({ hop, component, sighting, state: value }) => {
      const common = { hop, component, ...(value === undefined ? {} : { state: value }) };
      if ('unknown' in sighting) {
        unknownBecause.add(sighting.unknown);
        return { ...common, at: undefined, afterMs: undefined, unknown: true };
      }
      const { at } = sighting;
      return {
        ...common,
        at: at === undefined ? undefined : new Date(at).toISOString(),
        afterMs: at === undefined ? undefined : at - order.answeredAt,
      };
    }),
    unknownBecause: [...unknownBecause],
  };
}

/**
 * A journey never contradicts itself: a hop not seen before one that was seen did happen, and only
 * its sighting was lost (the observer's queue goes with a broker restart). It is unknown, never the
 * place the order stopped.
 */
function notMissedBeforeALaterHop(hops: Array<{ hop: string; sighting: Sighting }>): void {
  const lastSeen = hops.findLastIndex(({ sighting }) => 'at' in sighting && sighting.at !== undefined);
  for (const each of hops.slice(0, Math.max(0, lastSeen))) {
    if ('at' in each.sighting && each.sighting.at === undefined)
      each.sighting = {
        unknown:
          "not seen, though a later hop was: the watch missed it (a broker restart takes the observer's queue)",
      };
  }
}

const isSeen = (hop: JourneyHop) => hop.at !== undefined;
const isMissing = (hop: JourneyHop) => hop.at === undefined && !hop.unknown;

/** The hop the order stopped before, the last one seen before it, and the unknown ones between. */
function stop(journey: OrderJourney) {
  const missingAt = journey.hops.findIndex(isMissing);
  if (missingAt < 0) return undefined;
  const before = journey.hops.slice(0, missingAt);
  const reachedAt = before.findLastIndex(isSeen);
  return {
    missing: journey.hops[missingAt] as JourneyHop,
    reached: reachedAt < 0 ? undefined : before[reachedAt],
    unknown: before.slice(reachedAt + 1).filter((hop) => hop.unknown),
  };
}

/**
 * The components that may be at fault: the one responsible for the hop the order stopped before, and
 * those of the unknown hops just before it (any of them may be where it stopped). None when it did not stop.
 */
export function responsibleFor(journey: OrderJourney): string[] {
  const stopped = stop(journey);
  if (!stopped) return [];
  return [...new Set([...stopped.unknown, stopped.missing].map((hop) => hop.component))];
}

/** Where the order stopped, for a failure message: before which hop, after which, and whose hop it was. */
export function whereItStopped(journey: OrderJourney): string {
  const stopped = stop(journey);
  const unknown = journey.hops.filter((hop) => hop.unknown);
  const why = journey.unknownBecause.join('; ');
  if (!stopped)
    return unknown.length === 0
      ? 'it went through every hop'
      : `it went through every hop that could be seen; unknown: ${unknown.map((hop) => hop.hop).join(', ')} (${why})`;
  const details = [
    ...(stopped.reached ? [`last seen: ${stopped.reached.hop}`] : []),
    ...(stopped.unknown.length > 0
      ? [`unknown: ${stopped.unknown.map((hop) => hop.hop).join(', ')} (${why})`]
      : []),
    `responsible: ${responsibleFor(journey).join(' or ')}`,
  ];
  return `it stopped before "${stopped.missing.hop}" (${details.join('; ')})`;
}
