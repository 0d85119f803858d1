// The verdict where GitHub Actions shows it: the summary on the job page ($GITHUB_STEP_SUMMARY),
// an annotation at the feature file line of every scenario that blocks, and the verdict as a step
// output ($GITHUB_OUTPUT) that later jobs can test.
import { appendFileSync } from 'node:fs';
import type { ScenarioOutcome } from '../gate/scenarios.ts';
import type { Verdict } from '../gate/verdict.ts';

type Env = Readonly<Record<string, string | undefined>>;

export const inGitHubActions = (env: Env) => env.GITHUB_ACTIONS === 'true';

/** Workflow command escaping: data and properties differ (properties also escape : and ,). */
const escapeData = (text: string) =>
  text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
const escapeProperty = (text: string) => escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');

function annotation(level: 'error' | 'warning', scenario: ScenarioOutcome, message: string): string {
  const properties = `file=${escapeProperty(scenario.uri)},line=${scenario.line},title=${escapeProperty(scenario.name)}`;
  return `::${level} ${properties}::${escapeData(message)}`;
}

/** One annotation per scenario that blocks (error) or passed only on a retry (warning). */
export function annotations(verdict: Verdict, quarantineTag: string): string[] {
  return verdict.scenarios.flatMap((scenario) => {
    if (scenario.tags.includes(quarantineTag)) return [];
    if (scenario.status !== 'PASSED') {
      return [
        annotation('error', scenario, `${scenario.status}${scenario.message ? `: ${scenario.message}` : ''}`),
      ];
    }
    return scenario.flaky
      ? [annotation('warning', scenario, `flaky: passed on attempt ${scenario.attempts}`)]
      : [];
  });
}

/** Writes the summary and the output; returns the annotation lines for stdout. */
export function publishToGitHub(
  verdict: Verdict,
  summary: string,
  env: Env,
  quarantineTag: string,
): string[] {
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `${summary}\n`);
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, `verdict=${verdict.verdict}\n`);
  return annotations(verdict, quarantineTag);
}
