// What the queue chart of a scenario shows, figured once so that the picture and its table agree: each
// queue's messages (ready + unacked) and consumers over the window, its peak, its end, and whether it
// is drawn at all (a queue that stayed empty with the same consumers says nothing worth a line).
import type { QueueSample, QueueSamples } from '../drivers/queue-sampler.ts';

export interface QueuePoint {
  at: number;
  messages: number;
  consumers: number;
}

export type Omission = 'empty, consumers unchanged' | 'more queues than the picture holds';

export interface QueueHistory {
  name: string;
  deadLetter: boolean;
  /** One per sample that listed the queue, in time order. */
  points: QueuePoint[];
  maxMessages: number;
  /** When it first held maxMessages, in ms after the start. */
  maxAt: number;
  /** In the last sample that had figures; undefined when that sample did not list the queue. */
  endMessages: number | undefined;
  minConsumers: number;
  maxConsumers: number;
  /** Why it is not drawn; undefined when it is. */
  omitted: Omission | undefined;
}

export interface QueueWindow {
  /** The window's length in ms. */
  durationMs: number;
  sampleCount: number;
  everyMs: number;
  thinned: number;
  /** The samples that failed: when, and why. */
  gaps: Array<{ at: number; reason: string }>;
  /** Every queue that any sample listed, by name. */
  queues: QueueHistory[];
}

export const defaultMaxDrawn = 8;

export function queueWindowOf(record: QueueSamples, maxDrawn = defaultMaxDrawn): QueueWindow {
  const gaps = record.samples.flatMap((sample) =>
    'gap' in sample ? [{ at: sample.at, reason: sample.gap }] : [],
  );
  const withFigures = record.samples.filter((sample) => 'queues' in sample);
  const names = [
    ...new Set(withFigures.flatMap((sample) => sample.queues.map((queue) => queue.name))),
  ].sort();
  const histories = names.map((name) => historyOf(name, withFigures, record.deadLetterQueues.includes(name)));
  return {
    durationMs: Math.max(record.endedAt, record.samples.at(-1)?.at ?? 0),
    sampleCount: record.samples.length,
    everyMs: record.everyMs,
    thinned: record.thinned,
    gaps,
    queues: choose(histories, maxDrawn),
  };
}

type Figures = Extract<QueueSample, { queues: unknown }>;

function historyOf(name: string, samples: readonly Figures[], deadLetter: boolean): QueueHistory {
  const points = samples.flatMap((sample) => {
    const queue = sample.queues.find((each) => each.name === name);
    return queue
      ? [{ at: sample.at, messages: queue.ready + queue.unacked, consumers: queue.consumers }]
      : [];
  });
  const peak = points.reduce(
    (best, point) => (point.messages > best.messages ? point : best),
    points[0] as QueuePoint,
  );
  const consumers = points.map((point) => point.consumers);
  const last = samples.at(-1)?.queues.find((each) => each.name === name);
  return {
    name,
    deadLetter,
    points,
    maxMessages: peak.messages,
    maxAt: peak.at,
    endMessages: last ? last.ready + last.unacked : undefined,
    minConsumers: Math.min(...consumers),
    maxConsumers: Math.max(...consumers),
    omitted: undefined,
  };
}

const isQuiet = (queue: QueueHistory) => queue.maxMessages === 0 && queue.minConsumers === queue.maxConsumers;

/** The queues worth a line; past maxDrawn, those that held the most. Names stay in alphabetical order. */
function choose(histories: readonly QueueHistory[], maxDrawn: number): QueueHistory[] {
  const telling = histories
    .filter((queue) => !isQuiet(queue))
    .sort((a, b) => b.maxMessages - a.maxMessages || b.maxConsumers - a.maxConsumers);
  const drawn = new Set(telling.slice(0, maxDrawn).map((queue) => queue.name));
  return histories.map((queue) => ({
    ...queue,
    omitted: drawn.has(queue.name)
      ? undefined
      : isQuiet(queue)
        ? 'empty, consumers unchanged'
        : 'more queues than the picture holds',
  }));
}

export const drawnQueues = (window: QueueWindow) => window.queues.filter((queue) => !queue.omitted);

/** "4.5 s": the chart's time unit. */
export const secondsText = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
