// The order journeys of the scenarios that failed, read from the messages: the journey.json each
// scenario's final attempt attached (an earlier attempt's journey is not the one that failed).
import type { Envelope } from '@cucumber/messages';
import type { ScenarioOutcome } from '../gate/scenarios.ts';
import type { AttachedJourney } from '../journey/attached-journey.ts';
import { finalAttempts } from './final-attempts.ts';

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
    for (const [pickleId, { journeys: found }] of finalAttempts(envelopes))
      if (found) journeys.set(pickleId, found);
  return failed.flatMap(({ pickleId, name, uri, line }) => {
    const found = journeys.get(pickleId);
    return found && found.length > 0 ? [{ name, uri, line, journeys: found }] : [];
  });
}
