// Turns the message stream into what a person watches while a run goes on: each scenario's result
// as it finishes, with a live count. Retried attempts are announced, not counted twice.
import type { Envelope } from '@cucumber/messages';
import { Query } from '@cucumber/query';

export interface ScenarioFinished {
  name: string;
  uri: string;
  line: number | undefined;
  tags: string[];
  status: string;
  durationMs: number;
  /** Attempt number (0 first); set when another attempt follows. */
  willBeRetried: boolean;
  attempt: number;
  message: string | undefined;
  done: number;
  total: number;
}

export function createProgress(
  onScenario: (finished: ScenarioFinished) => void,
): (envelope: Envelope) => void {
  const query = new Query();
  let total = 0;
  let done = 0;
  return (envelope) => {
    query.update(envelope);
    if (envelope.testCase) total += 1;
    const finished = envelope.testCaseFinished;
    if (!finished) return;
    const started = query.findTestCaseStartedBy(finished);
    const pickle = query.findPickleBy(finished);
    const result = query.findMostSevereTestStepResultBy(finished);
    if (!started || !pickle) return;
    if (!finished.willBeRetried) done += 1;
    const duration = query.findTestCaseDurationBy(finished);
    onScenario({
      name: pickle.name,
      uri: pickle.uri,
      line: query.findLocationOf(pickle)?.line,
      tags: pickle.tags.map((tag) => tag.name),
      status: result?.status ?? 'UNKNOWN',
      durationMs: duration ? duration.seconds * 1000 + duration.nanos / 1e6 : 0,
      willBeRetried: finished.willBeRetried,
      attempt: started.attempt,
      message: result?.message?.split('\n')[0],
      done,
      total,
    });
  };
}
