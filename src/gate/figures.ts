// Figures scenarios measure (latencies, throughput), carried in the messages as attachments so that
// the gate can hold them to the policy's budgets, whichever shard measured them.
import { AttachmentContentEncoding, type Envelope } from '@cucumber/messages';

export const figuresMediaType = 'application/vnd.mes-e2e.figures+json';

/** name -> samples, e.g. { "created_to_priced_ms.b2c": [412, 530] } */
export type Figures = Record<string, number[]>;

/** The body of a figures attachment; steps attach it with `this.attach(body, mediaType)`. */
export const figuresBody = (figures: Figures) => JSON.stringify(figures);

export function figuresEnvelope(figures: Figures): Envelope {
  return {
    attachment: {
      body: figuresBody(figures),
      contentEncoding: AttachmentContentEncoding.IDENTITY,
      mediaType: figuresMediaType,
    },
  };
}

/** Every sample of every figure in the streams, merged by name. */
export function collectFigures(streams: ReadonlyArray<readonly Envelope[]>): Figures {
  const all: Figures = {};
  for (const envelopes of streams) {
    for (const envelope of envelopes) {
      if (envelope.attachment?.mediaType !== figuresMediaType) continue;
      try {
        const figures = JSON.parse(envelope.attachment.body) as Record<string, unknown>;
        for (const [name, samples] of Object.entries(figures)) {
          const numbers = (Array.isArray(samples) ? samples : [samples]).filter(
            (value): value is number => typeof value === 'number' && Number.isFinite(value),
          );
          all[name] = [...(all[name] ?? []), ...numbers];
        }
      } catch {
        // A figures attachment that is not JSON records nothing: a budget on it then has no figure.
      }
    }
  }
  return all;
}

export type Statistic = 'p50' | 'p95' | 'p99' | 'max' | 'mean';

export function statistic(samples: readonly number[], which: Statistic): number {
  if (which === 'max') return percentile(samples, 100);
  if (which === 'mean') return samples.reduce((sum, value) => sum + value, 0) / samples.length;
  return percentile(samples, { p50: 50, p95: 95, p99: 99 }[which]);
}

/** What a budget's picture draws of its samples: the percentiles by the one definition below. */
export interface Percentiles {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function percentilesOf(samples: readonly number[]): Percentiles {
  const tenth = (value: number) => Math.round(value * 10) / 10;
  return {
    p50: tenth(percentile(samples, 50)),
    p90: tenth(percentile(samples, 90)),
    p95: tenth(percentile(samples, 95)),
    p99: tenth(percentile(samples, 99)),
    max: tenth(percentile(samples, 100)),
    mean: tenth(statistic(samples, 'mean')),
  };
}

/**
 * The one percentile of mes-e2e (the gate's budgets and every picture of them): nearest rank, the
 * smallest sample with at least `rank` percent of the samples at or below it. NaN without samples.
 */
export function percentile(samples: readonly number[], rank: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((rank / 100) * sorted.length) - 1)] ?? Number.NaN;
}
