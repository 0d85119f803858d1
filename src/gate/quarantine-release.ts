// A quarantine entry is debt: once every scenario it covers has passed cleanly (first attempt, no
// retry) in each of the last N runs it ran in, the entry is ready to be removed, and the summary
// says so with its owner. Pure: the quarantine of this run and the run records in, entries out.
import { keyOf, type ReleasableEntry, type RunRecord, resultsOf } from './history.ts';
import type { QuarantineReport } from './quarantine.ts';

/** `runs` oldest first, this run last. */
export function releasableEntries(
  quarantine: QuarantineReport,
  runs: readonly RunRecord[],
  cleanRuns: number,
): ReleasableEntry[] {
  const results = runs.map(resultsOf);
  const cleanLately = (scenario: { uri: string; name: string }) => {
    const key = keyOf(scenario);
    const seen = results.flatMap((byScenario) => {
      const result = byScenario.get(key);
      return result ? [result] : [];
    });
    return seen.length >= cleanRuns && seen.slice(-cleanRuns).every((result) => result === 'passed');
  };
  return quarantine.entries
    .filter(
      ({ state, scenarios }) => state === 'active' && scenarios.length > 0 && scenarios.every(cleanLately),
    )
    .map(({ entry }) => ({
      entry: entry.scenario !== undefined ? `scenario "${entry.scenario}"` : `tag ${entry.tag}`,
      owner: entry.owner,
      line: entry.line,
      cleanRuns,
    }));
}
