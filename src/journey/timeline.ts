// What a picture of an order's journey shows, figured once so that the picture, its text twin and the
// summary's diagram agree: each hop's status and time, the gap since the hop seen before it, and the lanes.
import type { AttachedJourney } from './attached-journey.ts';
import type { JourneyHop } from './hops.ts';

export type HopStatus = 'seen' | 'stopped here' | 'not reached' | 'unknown';

export interface TimelineHop {
  hop: string;
  component: string;
  status: HopStatus;
  /** When it was seen, in ms after the create operation answered; undefined when it was not. */
  afterMs: number | undefined;
  /** Since the hop seen before it (in journey order); undefined for the first seen and the unseen. */
  gapMs: number | undefined;
  /** The state read back, on the state hop. */
  state?: string;
}

export interface OrderTimeline {
  orderId: string;
  segment?: string;
  hops: TimelineHop[];
  /** One per component, in the order the journey first reaches it. */
  lanes: string[];
  /** The hop the order stopped before; undefined when it did not stop. */
  stoppedBefore: TimelineHop | undefined;
  /** The last hop seen before it stopped. */
  lastSeen: TimelineHop | undefined;
  unknownBecause: string[];
}

/** A limit to draw across the picture, e.g. `{ label: 'created to priced p95', ms: 2000 }`. */
export interface TimelineBudget {
  label: string;
  ms: number;
}

/** A budget of the policy, as far as a journey's picture needs it. */
export interface BudgetLimit {
  figure: string;
  statistic: string;
  max: number;
}

/** The figure the shipped steps record per order, from its create answered to its final state. */
const createdToPriced = /^created_to_priced_ms\.(.+)$/;

/** A budget further out than this many times the latest hop would squeeze the hops into a corner. */
const farOut = 4;

/**
 * The budgets that apply to these orders, as lines across their picture: created_to_priced_ms of each
 * segment the orders are in, measured as the picture's time is (from the create operation's answer),
 * when the orders came within a quarter of it: a budget far beyond every hop tells nothing a reader
 * needs and would leave the hops no room. A budget holds a statistic of many orders; one order past
 * the line is a sign, not the verdict.
 */
export function journeyBudgetsOf(
  limits: readonly BudgetLimit[],
  journeys: readonly AttachedJourney[],
): TimelineBudget[] {
  const segments = new Set(journeys.flatMap((journey) => (journey.segment ? [journey.segment] : [])));
  const times = journeys.flatMap((journey) => timelineOf(journey).hops.flatMap((hop) => hop.afterMs ?? []));
  const reach = Math.max(0, ...times);
  return limits
    .filter((limit) => segments.has(createdToPriced.exec(limit.figure)?.[1] ?? ''))
    .filter((limit) => limit.max <= reach * farOut)
    .map((limit) => ({ label: `${limit.figure} ${limit.statistic}`, ms: limit.max }));
}

export interface PictureOptions {
  /** Limits to draw across the lanes. */
  budgets?: readonly TimelineBudget[];
  /** At most this many orders (those that stopped first); the rest are in journey.json. */
  maxOrders?: number;
  /**
   * What the picture's ids begin with (default `journey`): a page that holds several pictures gives
   * each its own, or every picture would take the first one's title and description as its own.
   */
  idPrefix?: string;
}

export const defaultMaxOrders = 5;

const isSeen = (hop: JourneyHop) => hop.at !== undefined;

// The rule whereItStopped (hops.ts) follows: the first hop neither seen nor unknown. Not imported from
// there: hops.ts reaches the bus driver (amqplib), and a picture needs none of it.
const isMissing = (hop: JourneyHop) => !isSeen(hop) && !hop.unknown;

export function timelineOf(journey: AttachedJourney): OrderTimeline {
  const stopAt = journey.hops.findIndex(isMissing);
  let previous: number | undefined;
  const hops = journey.hops.map((hop, index): TimelineHop => {
    const afterMs = isSeen(hop) ? hop.afterMs : undefined;
    const gapMs = afterMs !== undefined && previous !== undefined ? afterMs - previous : undefined;
    if (afterMs !== undefined) previous = afterMs;
    return {
      hop: hop.hop,
      component: hop.component,
      status: statusOf(hop, index, stopAt),
      afterMs,
      gapMs,
      ...(hop.state === undefined ? {} : { state: hop.state }),
    };
  });
  const stoppedBefore = stopAt < 0 ? undefined : hops[stopAt];
  return {
    orderId: journey.orderId,
    ...(journey.segment === undefined ? {} : { segment: journey.segment }),
    hops,
    lanes: [...new Set(hops.map((hop) => hop.component))],
    stoppedBefore,
    lastSeen: hops.slice(0, stopAt < 0 ? undefined : stopAt).findLast((hop) => hop.status === 'seen'),
    unknownBecause: journey.unknownBecause,
  };
}

function statusOf(hop: JourneyHop, index: number, stopAt: number): HopStatus {
  if (isSeen(hop)) return 'seen';
  if (hop.unknown) return 'unknown';
  return index === stopAt ? 'stopped here' : 'not reached';
}

/**
 * The orders worth drawing when a scenario placed many (a load scenario places hundreds): those that
 * stopped first, then the others, each group in the order placed.
 */
export function ordersToDraw(journeys: readonly AttachedJourney[], max: number): OrderTimeline[] {
  const timelines = journeys.map(timelineOf);
  const stopped = timelines.filter((timeline) => timeline.stoppedBefore);
  const through = timelines.filter((timeline) => !timeline.stoppedBefore);
  return [...stopped, ...through].slice(0, max);
}

/** A signed duration as a reader wants it: "+420 ms", "+1.25 s", "-15 ms". */
export function signedMs(ms: number): string {
  return `${ms < 0 ? '-' : '+'}${durationText(Math.abs(ms))}`;
}

export function durationText(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(2))} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** One line about where the order got to, for titles and captions. */
export function outcomeText(timeline: OrderTimeline): string {
  const { stoppedBefore, lastSeen } = timeline;
  if (!stoppedBefore) {
    const unknown = timeline.hops.filter((hop) => hop.status === 'unknown').length;
    return unknown === 0
      ? 'went through every hop'
      : `went through every hop that could be seen (${unknown} unknown)`;
  }
  const after = lastSeen ? `, last seen: ${lastSeen.hop} at ${signedMs(lastSeen.afterMs ?? 0)}` : '';
  return `stopped before: ${stoppedBefore.hop} (${stoppedBefore.component})${after}`;
}
