// The rule that needs memory: a scenario flaky in too many of the last runs blocks, even when each
// run on its own stayed under the flaky cap. A flaky scenario passed only on a retry (scenarios.ts).
import { keyOf, type RunRecord, resultsOf, type ScenarioResult } from './history.ts';
import type { Policy } from './policy.ts';
import type { GateVerdict } from './results.ts';

/**
 * `earlier` are the runs before this one, oldest first. The limit counts against the policy's whole
 * window, not the runs known: with max 0.2 over 5 runs, two flaky runs block, one never does, so a
 * short history cannot make a single flake look like a habit.
 */
export function flakyRateReasons(
  earlier: readonly RunRecord[],
  current: RunRecord,
  policy: Policy,
): string[] {
  const rule = policy.flakyRate;
  if (!rule) return [];
  const window = [...earlier, current].slice(-rule.runs).map(resultsOf);
  const seen = new Set<string>();
  return current.scenarios.flatMap((scenario) => {
    const key = keyOf(scenario);
    if (seen.has(key) || scenario.tags.includes(policy.quarantineTag)) return [];
    seen.add(key);
    const figure = figureOf(window, key);
    if (figure.flaky <= rule.max * rule.runs) return [];
    return [
      `scenario "${scenario.name}" (${scenario.uri}) is flaky too often: ${figure.flaky}/${figure.ran} runs flaky ` +
        `over the last ${rule.runs} runs, more than the policy allows (flakyRate max ${rule.max} of ${rule.runs} runs)`,
    ];
  });
}

/** In how many runs of the window the scenario was flaky, of how many it was in. */
function figureOf(window: ReadonlyArray<Map<string, ScenarioResult>>, key: string) {
  const results = window.flatMap((run) => {
    const result = run.get(key);
    return result ? [result] : [];
  });
  return { flaky: results.filter((result) => result === 'flaky').length, ran: results.length };
}

/** The verdict with the rules over earlier runs applied: a reason from them blocks like any other. */
export function withHistoryRules<Judged extends Pick<GateVerdict, 'verdict' | 'reasons'>>(
  verdict: Judged,
  earlier: readonly RunRecord[],
  current: RunRecord,
  policy: Policy,
): Judged {
  const reasons = flakyRateReasons(earlier, current, policy);
  if (reasons.length === 0) return verdict;
  return { ...verdict, verdict: 'BLOCK', reasons: [...verdict.reasons, ...reasons] };
}
