// Stops a run that is plainly failing: after `maxFailures` scenarios have failed for good (quarantined
// ones aside), it leaves a note in the report folder; every worker's first Before hook reads it and
// skips the scenarios not yet started, marking each as not run (src/gate/not-run.ts). Scenarios already
// running finish, so every report and the diagnosis of what failed are kept; the verdict is BLOCK either
// way, it only comes sooner.
import { writeFileSync } from 'node:fs';
import { notRunBody } from '../gate/not-run.ts';
import type { Policy } from '../gate/policy.ts';
import { standingOf } from '../gate/quarantine.ts';
import type { ScenarioFinished } from './progress.ts';

export interface EarlyStopOptions {
  /** 0: never stop early. */
  maxFailures: number;
  policy: Policy;
  /** The note the workers look for (the world parameters' stopFile). */
  stopFile: string;
  /** Said once, when the run stops. */
  onStop(reason: string): void;
}

/** Counts what would block; a scenario that skipped itself or was quarantined does not. */
function blocks(finished: ScenarioFinished, policy: Policy): boolean {
  if (finished.willBeRetried || finished.status === 'PASSED' || finished.status === 'SKIPPED') return false;
  const today = new Date().toISOString().slice(0, 10);
  return standingOf(finished, policy, today)?.kind !== 'quarantined';
}

export const stopReason = (maxFailures: number): string =>
  maxFailures === 1
    ? 'the run stopped at its first failure (fail-fast, or max failures 1)'
    : `the run stopped after ${maxFailures} scenarios failed (max failures ${maxFailures}; --max-failures 0 runs every scenario)`;

/** Watches finished scenarios; the returned function takes each one, as progress reports it. */
export function earlyStop(options: EarlyStopOptions): (finished: ScenarioFinished) => void {
  let failures = 0;
  return (finished) => {
    if (options.maxFailures === 0 || !blocks(finished, options.policy)) return;
    failures += 1;
    if (failures !== options.maxFailures) return;
    const reason = stopReason(options.maxFailures);
    // Synchronously: cucumber hands the next scenario to a worker right after this message.
    writeFileSync(options.stopFile, notRunBody({ reason }), { mode: 0o600 });
    options.onStop(reason);
  };
}
