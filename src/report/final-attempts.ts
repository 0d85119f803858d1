// What each scenario's final attempt left in the messages: how long it took, the order journeys it
// attached (journey.json) and the Playwright traces it saved (an earlier attempt's are not the ones
// that decided the scenario).
import type { Envelope, Timestamp } from '@cucumber/messages';
import { type AttachedJourney, journeyFileName, parseAttachedJourneys } from '../journey/attached-journey.ts';

export interface FinalAttempt {
  /** 0 for the first attempt. */
  attempt: number;
  /** From its testCaseStarted to its testCaseFinished; undefined when it never finished. */
  durationMs: number | undefined;
  /** What its journey.json holds; undefined when it attached none, or one that is not a list of journeys. */
  journeys: AttachedJourney[] | undefined;
  /** The file names of the traces it saved (in the run's artifacts/), as its trace.txt names them. */
  traces: string[];
}

/**
 * The text steps/support/ui-evidence.ts attaches as trace.txt: `Playwright trace: <path>` on its first
 * line. Only the file name is kept: the path is the one on the machine that ran.
 */
const traceFileName = 'trace.txt';
const tracePath = /^Playwright trace: (.+)$/m;

/** Per pickle id, its final attempt. */
export function finalAttempts(envelopes: readonly Envelope[]): Map<string, FinalAttempt> {
  const pickleOfTestCase = new Map<string, string>();
  const last = new Map<string, { id: string; attempt: number; at: Timestamp }>();
  const finishedAt = new Map<string, Timestamp>();
  const journeyBodies = new Map<string, string>();
  const traces = new Map<string, string[]>();
  for (const { testCase, testCaseStarted, testCaseFinished, attachment } of envelopes) {
    if (testCase) pickleOfTestCase.set(testCase.id, testCase.pickleId);
    if (testCaseStarted) {
      const pickleId = pickleOfTestCase.get(testCaseStarted.testCaseId);
      const known = pickleId === undefined ? undefined : last.get(pickleId);
      if (pickleId !== undefined && (!known || testCaseStarted.attempt >= known.attempt))
        last.set(pickleId, {
          id: testCaseStarted.id,
          attempt: testCaseStarted.attempt,
          at: testCaseStarted.timestamp,
        });
    }
    if (testCaseFinished) finishedAt.set(testCaseFinished.testCaseStartedId, testCaseFinished.timestamp);
    const startedId = attachment?.testCaseStartedId;
    if (!attachment || !startedId) continue;
    if (attachment.fileName === journeyFileName)
      journeyBodies.set(startedId, bodyText(attachment.body, attachment.contentEncoding));
    if (attachment.fileName === traceFileName) {
      const path = tracePath.exec(bodyText(attachment.body, attachment.contentEncoding))?.[1]?.trim();
      const name = path?.split(/[\\/]/).at(-1);
      if (name) traces.set(startedId, [...(traces.get(startedId) ?? []), name]);
    }
  }
  const found = new Map<string, FinalAttempt>();
  for (const [pickleId, { id, attempt, at }] of last) {
    const finished = finishedAt.get(id);
    const body = journeyBodies.get(id);
    found.set(pickleId, {
      attempt,
      durationMs: finished === undefined ? undefined : Math.max(0, millis(finished) - millis(at)),
      journeys: body === undefined ? undefined : parseAttachedJourneys(body),
      traces: traces.get(id) ?? [],
    });
  }
  return found;
}

const millis = (timestamp: Timestamp) => timestamp.seconds * 1000 + timestamp.nanos / 1e6;

const bodyText = (body: string, encoding: string) =>
  encoding === 'BASE64' ? Buffer.from(body, 'base64').toString('utf8') : body;
