// The verdict where GitHub Actions shows it: the summary on the job page ($GITHUB_STEP_SUMMARY),
// an annotation at the feature file line of every scenario that blocks, and the verdict as a step
// output ($GITHUB_OUTPUT) that later jobs can test.
import { appendFileSync } from 'node:fs';
import { type JudgedScenario, quarantineNote } from '../gate/quarantine.ts';
import type { ScenarioOutcome } from '../gate/scenarios.ts';
import type { Verdict } from '../gate/verdict.ts';

type Env = Readonly<Record<string, string | undefined>>;

export const inGitHubActions = (env: Env) => env.GITHUB_ACTIONS === 'true';

/** Workflow command escaping: data and properties differ (properties also escape : and ,). */
const escapeData = (text: string) =>
  text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
const escapeProperty = (text: string) => escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');

function annotation(
  level: 'error' | 'warning' | 'notice',
  scenario: ScenarioOutcome,
  message: string,
): string {
  const properties = `file=${escapeProperty(scenario.uri)},line=${scenario.line},title=${escapeProperty(scenario.name)}`;
  return `::${level} ${properties}::${escapeData(message)}`;
}

/**
 * One annotation per scenario that blocks (error), passed only on a retry (warning), or did not pass
 * but is quarantined (notice: it does not block, and whose it is stays in sight).
 */
export function annotations(verdict: Verdict): string[] {
  return verdict.scenarios.flatMap((scenario) => {
    const failure = `${scenario.status}${scenario.message ? `: ${scenario.message}` : ''}`;
    const standing = scenario.quarantine;
    if (standing?.kind === 'quarantined') {
      if (scenario.status === 'PASSED' && !scenario.flaky) return [];
      const { owner, expires } = standing.entry;
      return [annotation('notice', scenario, `quarantined (owner ${owner}, until ${expires}): ${failure}`)];
    }
    if (scenario.status !== 'PASSED') {
      return [annotation('error', scenario, failure + note(scenario, verdict))];
    }
    return scenario.flaky
      ? [annotation('warning', scenario, `flaky: passed on attempt ${scenario.attempts}`)]
      : [];
  });
}

/** Why the quarantine did not keep it from blocking (expired, a required tag, a bare tag). */
function note(scenario: JudgedScenario, verdict: Verdict): string {
  const text = quarantineNote(scenario, verdict.quarantine).replace(/^; /, '');
  return text ? ` (${text})` : '';
}

/** Writes the summary and the output; returns the annotation lines for stdout. */
export function publishToGitHub(verdict: Verdict, summary: string, env: Env): string[] {
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `${summary}\n`);
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, `verdict=${verdict.verdict}\n`);
  return annotations(verdict);
}
