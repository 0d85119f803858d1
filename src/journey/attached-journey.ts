// The journeys a scenario attaches as journey.json (one per order it placed), and reading them back
// from a messages file: any stream is valid input, so a body that is not such a list reads as none.
import { z } from 'zod';
import type { OrderJourney } from './hops.ts';

export const journeyFileName = 'journey.json';

/** One order's journey as the After hook attaches it: which order, and its hops. */
export type AttachedJourney = OrderJourney & {
  orderId: string;
  customerId?: string;
  segment?: string;
};

const AttachedHop = z.object({
  hop: z.string(),
  component: z.string(),
  at: z.string().optional(),
  afterMs: z.number().optional(),
  unknown: z.literal(true).optional(),
  state: z.string().optional(),
});

const AttachedJourneys = z.array(
  z.object({
    orderId: z.string(),
    customerId: z.string().optional(),
    segment: z.string().optional(),
    hops: z.array(AttachedHop),
    unknownBecause: z.array(z.string()).default([]),
  }),
);

/** The journeys in a journey.json body; undefined when it is not JSON or not a list of journeys. */
export function parseAttachedJourneys(body: string): AttachedJourney[] | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = AttachedJourneys.safeParse(json);
  if (!parsed.success) return undefined;
  return parsed.data.map(({ hops, ...journey }) => ({
    ...journey,
    // JSON has no undefined: a hop never seen comes back without `at` and `afterMs`.
    hops: hops.map((hop) => ({ ...hop, at: hop.at, afterMs: hop.afterMs })),
  }));
}
