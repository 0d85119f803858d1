// Every scenario the verdict judged, as the one-page report shows it: the verdict's status and
// quarantine standing, and from the messages of its final attempt why it did not pass, how long it
// took, its order journeys and its traces. A scenario the messages do not hold keeps what the verdict says.
import type { Envelope } from '@cucumber/messages';
import type { QuarantineStanding } from '../gate/quarantine.ts';
import { type ScenarioOutcome, startedAt, summarizeRun } from '../gate/scenarios.ts';
import type { AttachedJourney } from '../journey/attached-journey.ts';
import { type FinalAttempt, finalAttempts } from './final-attempts.ts';

export type QuarantineKind = QuarantineStanding['kind'];

/** A scenario as a verdict lists it: a GateVerdict's (its standing's kind) or gate.json's. */
export type VerdictScenario = Pick<
  ScenarioOutcome,
  'name' | 'uri' | 'line' | 'status' | 'attempts' | 'flaky'
> & {
  readonly quarantine?: QuarantineKind | undefined;
};

export interface PageScenario {
  name: string;
  uri: string;
  line: number;
  tags: readonly string[];
  status: ScenarioOutcome['status'];
  attempts: number;
  flaky: boolean;
  unfinished: boolean;
  quarantine: QuarantineKind | undefined;
  message: string | undefined;
  step: string | undefined;
  notRun: string | undefined;
  durationMs: number | undefined;
  journeys: readonly AttachedJourney[];
  /** Traces the final attempt saved that are there to open, each with its link relative to the page. */
  traces: ReadonlyArray<{ name: string; href: string }>;
  /** The messages hold it: without them the page knows only what the verdict says. */
  inMessages: boolean;
}

export interface PageStream {
  envelopes: readonly Envelope[];
  /** The link to a file of this run's artifacts/, relative to the page; undefined when it is not there. */
  artifactHref?: (fileName: string) => string | undefined;
}

const keyOf = (scenario: Pick<ScenarioOutcome, 'uri' | 'line' | 'name'>) =>
  `${scenario.uri}\u0000${scenario.line}\u0000${scenario.name}`;

type Found = { outcome: ScenarioOutcome; final: FinalAttempt | undefined; stream: PageStream };

/** In the verdict's order, every one of its scenarios. */
export function pageScenarios(
  scenarios: readonly VerdictScenario[],
  streams: readonly PageStream[],
): PageScenario[] {
  const found = new Map<string, Found>();
  for (const stream of streams) {
    const finals = finalAttempts(stream.envelopes);
    for (const outcome of summarizeRun(stream.envelopes).scenarios)
      found.set(keyOf(outcome), { outcome, final: finals.get(outcome.pickleId), stream });
  }
  return scenarios.map((scenario) => {
    const { outcome, final, stream } = found.get(keyOf(scenario)) ?? {};
    return {
      name: scenario.name,
      uri: scenario.uri,
      line: scenario.line,
      tags: outcome?.tags ?? [],
      status: scenario.status,
      attempts: scenario.attempts,
      flaky: scenario.flaky,
      unfinished: outcome?.unfinished ?? false,
      quarantine: scenario.quarantine,
      message: outcome?.message,
      step: outcome?.step,
      notRun: outcome?.notRun,
      durationMs: final?.durationMs,
      journeys: final?.journeys ?? [],
      traces: (final?.traces ?? []).flatMap((name) => {
        const href = stream?.artifactHref?.(name);
        return href === undefined ? [] : [{ name, href }];
      }),
      inMessages: outcome !== undefined,
    };
  });
}

/** When the run began (its earliest stream) and how long until its last stream finished. */
export function runSpan(streams: readonly PageStream[]): { startedAt?: string; durationMs?: number } {
  const starts = streams.flatMap(({ envelopes }) => {
    const at = startedAt(envelopes);
    return at ? [Date.parse(at)] : [];
  });
  const ends = streams.flatMap(({ envelopes }) =>
    envelopes.flatMap(({ testRunFinished }) =>
      testRunFinished
        ? [testRunFinished.timestamp.seconds * 1000 + testRunFinished.timestamp.nanos / 1e6]
        : [],
    ),
  );
  if (starts.length === 0) return {};
  const first = Math.min(...starts);
  return {
    startedAt: new Date(first).toISOString(),
    ...(ends.length === streams.length ? { durationMs: Math.max(0, Math.max(...ends) - first) } : {}),
  };
}
