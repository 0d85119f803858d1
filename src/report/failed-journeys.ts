// The order journeys of the scenarios that failed, read from the messages: the journey.json each
// scenario's final attempt attached (an earlier attempt's journey is not the one that failed).
import type { Envelope } from '@cucumber/messages';
import type { ScenarioOutcome } from '../gate/scenarios.ts';
import { type AttachedJourney, journeyFileName, parseAttachedJourneys } from '../journey/attached-journey.ts';

export interface ScenarioJourneys {
  name: string;
  uri: string;
  line: number;
  journeys: AttachedJourney[];
}

type Scenario = Pick<ScenarioOutcome, 'pickleId' | 'name' | 'uri' | 'line' | 'status'>;

/** The failed scenarios, in the verdict's order, that attached a journey; the rest are left out. */
export function failedScenarioJourneys(
  streams: ReadonlyArray<readonly Envelope[]>,
  scenarios: readonly Scenario[],
): ScenarioJourneys[] {
  const failed = scenarios.filter((scenario) => scenario.status === 'FAILED');
  if (failed.length === 0) return [];
  const journeys = new Map<string, AttachedJourney[]>();
  for (const envelopes of streams)
    for (const [pickleId, found] of finalJourneys(envelopes)) journeys.set(pickleId, found);
  return failed.flatMap(({ pickleId, name, uri, line }) => {
    const found = journeys.get(pickleId);
    return found && found.length > 0 ? [{ name, uri, line, journeys: found }] : [];
  });
}

/** Per pickle, the journeys its last attempt attached. */
function finalJourneys(envelopes: readonly Envelope[]): Map<string, AttachedJourney[]> {
  const pickleOfTestCase = new Map<string, string>();
  const last = new Map<string, { id: string; attempt: number }>();
  const bodies = new Map<string, string>();
  for (const { testCase, testCaseStarted, attachment } of envelopes) {
    if (testCase) pickleOfTestCase.set(testCase.id, testCase.pickleId);
    if (testCaseStarted) {
      const pickleId = pickleOfTestCase.get(testCaseStarted.testCaseId);
      const known = pickleId === undefined ? undefined : last.get(pickleId);
      if (pickleId !== undefined && (!known || testCaseStarted.attempt >= known.attempt))
        last.set(pickleId, { id: testCaseStarted.id, attempt: testCaseStarted.attempt });
    }
    if (attachment?.fileName === journeyFileName && attachment.testCaseStartedId)
      bodies.set(attachment.testCaseStartedId, bodyText(attachment.body, attachment.contentEncoding));
  }
  const found = new Map<string, AttachedJourney[]>();
  for (const [pickleId, { id }] of last) {
    const body = bodies.get(id);
    const journeys = body === undefined ? undefined : parseAttachedJourneys(body);
    if (journeys) found.set(pickleId, journeys);
  }
  return found;
}

const bodyText = (body: string, encoding: string) =>
  encoding === 'BASE64' ? Buffer.from(body, 'base64').toString('utf8') : body;
