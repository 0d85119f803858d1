// A scenario the run chose not to run (it stopped early after too many failures) says so in its own
// messages: a Before hook attaches this note and skips it, so the gate can tell "not run because the
// run stopped" from a scenario that skipped itself, and give one reason for all of them.
import type { Envelope } from '@cucumber/messages';

export const notRunMediaType = 'application/vnd.mes-e2e.not-run+json';

export interface NotRun {
  /** Why it did not run, e.g. "the run stopped after 5 failures (maxFailures 5)". */
  reason: string;
}

/** The attachment body a skipped scenario carries. */
export const notRunBody = (notRun: NotRun): string => JSON.stringify(notRun);

/** The not-run note of each attempt that carries one, by testCaseStartedId. */
export function notRunAttempts(envelopes: readonly Envelope[]): Map<string, string> {
  const notes = new Map<string, string>();
  for (const { attachment } of envelopes) {
    if (attachment?.mediaType !== notRunMediaType || !attachment.testCaseStartedId) continue;
    notes.set(attachment.testCaseStartedId, reasonOf(attachment.body));
  }
  return notes;
}

/** The attempts that ran: one the stopped run skipped (a retry it did not make) is no attempt. */
export const attemptsThatRan = <Started extends { id: string }>(
  attempts: readonly Started[],
  notRun: ReadonlyMap<string, string>,
): Started[] => attempts.filter((started) => !notRun.has(started.id));

function reasonOf(body: string): string {
  try {
    const { reason } = JSON.parse(body) as { reason?: unknown };
    if (typeof reason === 'string' && reason.trim()) return reason;
  } catch {
    // A hand-edited or foreign note still means the run did not run it; the reason is just unknown.
  }
  return 'the run stopped before it';
}
