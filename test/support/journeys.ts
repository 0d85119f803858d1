// Order journeys as the After hook attaches them (journey.json), for the tests of their pictures: one
// that went through, one that stopped with an unknown hop before the stop, and one whose names come
// from a hostile configuration; and a message stream carrying them as the hook attaches them.
import { AttachmentContentEncoding, type Envelope } from '@cucumber/messages';
import type { AttachedJourney } from '../../src/journey/attached-journey.ts';
import type { JourneyHop } from '../../src/journey/hops.ts';

const answeredAt = Date.parse('2025-03-04T10:00:00.000Z');

type Sighting = number | 'unknown' | 'missing';

function hop(name: string, component: string, sighting: Sighting, state?: string): JourneyHop {
  const seen = typeof sighting === 'number';
  return {
    hop: name,
    component,
    at: seen ? new Date(answeredAt + sighting).toISOString() : undefined,
    afterMs: seen ? sighting : undefined,
    ...(sighting === 'unknown' ? { unknown: true as const } : {}),
    ...(state === undefined ? {} : { state }),
  };
}

/** The reference journey's hops, with when (ms after the answer) each was seen. */
function referenceHops(seen: readonly Sighting[], state: string): JourneyHop[] {
  const names: Array<[string, string]> = [
    ['CRM answered', 'crm'],
    ['order.created', 'rabbitmq'],
    ['MES received', 'mes'],
    ['pricing requested', 'rabbitmq'],
    ['pricing completed', 'pricing'],
    ['MES shows the price', 'mes'],
  ];
  return names.map(([name, component], index) =>
    hop(name, component, seen[index] ?? 'missing', index === names.length - 1 ? state : undefined),
  );
}

export const wentThrough: AttachedJourney = {
  orderId: 'ord-through',
  customerId: 'c-1',
  segment: 'b2b',
  hops: referenceHops([0, 8, 95, 130, 980, 1020], 'PRICED'),
  unknownBecause: [],
};

/** Seen up to MES, the pricing request unknown, and pricing never completed. */
export const stopped: AttachedJourney = {
  orderId: 'ord-stopped',
  customerId: 'c-2',
  segment: 'b2c',
  hops: referenceHops([0, 12, 140, 'unknown', 'missing', 'missing'], 'PRICING'),
  unknownBecause: ['the bus observer began watching after the order was placed'],
};

/** Names a configuration could give, each full of what markup and Mermaid read as syntax. */
export const hostileHop = 'price: done; #1 "quoted" %%{init}%% <script>alert(1)</script> & `x` \u0001\n[end]';
export const hostileComponent = 'rab`bit:mq;#<b>&amp;';

export const hostile: AttachedJourney = {
  orderId: 'ord-<&>"\'',
  segment: 'b2c',
  hops: [
    hop('section evil', 'crm', 0),
    hop('title forged', hostileComponent, 30),
    hop(hostileHop, hostileComponent, 'missing'),
    hop('```\nclick h1 call alert()', 'mes', 'missing'),
  ],
  unknownBecause: [],
};

/**
 * A message stream in which each attempt of each scenario attaches a journey.json, as the After hook
 * does: the journeys `journeysOf` gives for the scenario's name and the attempt (none if undefined).
 */
export function withJourneyAttachments(
  envelopes: readonly Envelope[],
  journeysOf: (scenario: string, attempt: number) => AttachedJourney[] | undefined,
  encoding: AttachmentContentEncoding = AttachmentContentEncoding.IDENTITY,
): Envelope[] {
  const names = new Map<string, string>();
  const pickleOf = new Map<string, string>();
  return envelopes.flatMap((envelope): Envelope[] => {
    if (envelope.pickle) names.set(envelope.pickle.id, envelope.pickle.name);
    if (envelope.testCase) pickleOf.set(envelope.testCase.id, envelope.testCase.pickleId);
    const started = envelope.testCaseStarted;
    const journeys =
      started && journeysOf(names.get(pickleOf.get(started.testCaseId) ?? '') ?? '', started.attempt);
    if (!started || !journeys) return [envelope];
    const text = JSON.stringify(journeys);
    const attachment = {
      testCaseStartedId: started.id,
      fileName: 'journey.json',
      mediaType: 'application/json',
      contentEncoding: encoding,
      body: encoding === AttachmentContentEncoding.BASE64 ? Buffer.from(text).toString('base64') : text,
    };
    return [envelope, { attachment }];
  });
}
