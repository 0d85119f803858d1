// Samples the depth and consumers of every queue of a vhost at a steady pace while a scenario runs,
// at a bounded cost: one request at a time, never two, and a bounded count of samples kept.
import { deadLetterQueues, queueFigures } from './broker-queues.ts';

export interface QueueDepth {
  name: string;
  ready: number;
  unacked: number;
  consumers: number;
}

/** What one sample saw, `at` ms after sampling started (when it was asked); or why it saw nothing. */
export type QueueSample = { at: number; queues: QueueDepth[] } | { at: number; gap: string };

/** The samples of one scenario: what queues.json holds. */
export interface QueueSamples {
  /** When sampling started (the scenario's start), ISO 8601. */
  startedAt: string;
  /** When it stopped, in ms after the start. */
  endedAt: number;
  /** The pace the sampling ended at: it doubles each time the samples are thinned. */
  everyMs: number;
  /** At most this many samples are kept. */
  maxSamples: number;
  /** How many times the samples were halved to stay within maxSamples. */
  thinned: number;
  /** The queues the dead-letter exchanges route to. */
  deadLetterQueues: string[];
  samples: QueueSample[];
}

/** One request that lists every queue; the signal aborts it. */
export type ListQueues = (signal: AbortSignal) => Promise<QueueDepth[]>;

export interface SamplerOptions {
  /** Between the starts of two samples (a slow answer delays the next one, never stacks it). */
  everyMs?: number;
  maxSamples?: number;
  /** One request's deadline: a broker that does not answer is a gap, not a stuck sampler. */
  timeoutMs?: number;
  /** Found while sampling runs: the dead-letter queues of the record. */
  deadLetterQueues?: () => Promise<string[]>;
  /** Milliseconds from any origin (performance.now): a test moving time by hand gives its own. */
  now?: () => number;
}

export interface RunningQueueSampler {
  /** Stops the pace, lets a request on its way finish, takes one last sample and gives everything. */
  stop(): Promise<QueueSamples>;
}

// Once a second: the management API refreshes its figures no more often on the run's broker.
export const samplerDefaults = { everyMs: 1_000, maxSamples: 120, timeoutMs: 2_000 } as const;

/** Samples the run's vhost through the management API, dead-letter queues found once at the start. */
export function sampleBrokerQueues(
  managementUrl: string,
  vhost: string,
  deadLetterExchanges: readonly string[],
  options: Omit<SamplerOptions, 'deadLetterQueues'> = {},
): RunningQueueSampler {
  const timeoutMs = options.timeoutMs ?? samplerDefaults.timeoutMs;
  const list: ListQueues = async (signal) =>
    (await queueFigures(managementUrl, vhost, { signal, timeoutMs })).map((queue) => ({
      name: queue.name,
      ready: queue.ready,
      unacked: queue.unacknowledged,
      consumers: queue.consumers,
    }));
  return startQueueSampler(list, {
    ...options,
    deadLetterQueues: () => deadLetterQueues(managementUrl, vhost, deadLetterExchanges, { timeoutMs }),
  });
}

export function startQueueSampler(list: ListQueues, options: SamplerOptions = {}): RunningQueueSampler {
  const maxSamples = Math.max(2, options.maxSamples ?? samplerDefaults.maxSamples);
  const timeoutMs = options.timeoutMs ?? samplerDefaults.timeoutMs;
  const startedAt = new Date().toISOString();
  const now = options.now ?? (() => performance.now());
  const start = now();
  const since = () => Math.round(now() - start);
  // Asked beside the first sample; a broker that cannot say leaves none marked.
  const deadLetters = (options.deadLetterQueues?.() ?? Promise.resolve([])).catch(() => []);
  let everyMs = options.everyMs ?? samplerDefaults.everyMs;
  let samples: QueueSample[] = [];
  let thinned = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const sampleOnce = async (): Promise<void> => {
    samples.push(await takeSample(list, since, timeoutMs));
    if (samples.length > maxSamples) {
      samples = thin(samples);
      everyMs *= 2;
      thinned += 1;
    }
  };

  // The next sample is timed from the start of this one, and only scheduled once this one is done.
  const tick = () => {
    const began = now();
    inFlight = sampleOnce().finally(() => {
      if (stopped) return;
      timer = setTimeout(tick, Math.max(0, everyMs - (now() - began)));
      // A sampler someone forgot to stop never keeps a worker alive.
      timer.unref();
    });
  };
  tick();

  return {
    async stop() {
      if (!stopped) {
        stopped = true;
        clearTimeout(timer);
        await inFlight;
        // The figures as the scenario ended: what "at the end" means in the chart and its table.
        await sampleOnce();
      }
      return {
        startedAt,
        endedAt: since(),
        everyMs,
        maxSamples,
        thinned,
        deadLetterQueues: await deadLetters,
        samples: [...samples],
      };
    },
  };
}

async function takeSample(list: ListQueues, since: () => number, timeoutMs: number): Promise<QueueSample> {
  const at = since();
  try {
    const queues = await list(AbortSignal.timeout(timeoutMs));
    return { at, queues: [...queues].sort((a, b) => a.name.localeCompare(b.name)) };
  } catch (error) {
    return { at, gap: error instanceof Error ? error.message : String(error) };
  }
}

const depthOf = (sample: QueueSample) =>
  'gap' in sample ? -1 : sample.queues.reduce((sum, queue) => sum + queue.ready + queue.unacked, 0);

/**
 * Halves the samples: of each pair the one with more messages in all (a peak survives, a gap gives way
 * to figures), and the latest always, so the chart ends as the scenario did.
 */
export function thin(samples: readonly QueueSample[]): QueueSample[] {
  const last = samples.at(-1);
  if (samples.length < 3 || !last) return [...samples];
  const kept: QueueSample[] = [];
  const body = samples.slice(0, -1);
  for (let index = 0; index < body.length; index += 2) {
    const first = body[index] as QueueSample;
    const second = body[index + 1];
    kept.push(second && depthOf(second) > depthOf(first) ? second : first);
  }
  return [...kept, last];
}
