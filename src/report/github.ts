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

type Level = 'error' | 'warning' | 'notice';

/**
 * GitHub shows at most 10 annotations of each level per step (and 50 per job) and drops the rest
 * without a word; the verdict must not look smaller than it is, so the rest are counted instead.
 */
export const annotationsPerLevel = 10;

interface Annotated {
  level: Level;
  line: string;
  /** Lower comes first: a required-tag scenario that blocks before any other. */
  rank: number;
}

function annotated(
  scenario: JudgedScenario,
  verdict: Verdict,
  requiredTags: readonly string[],
): Annotated | undefined {
  const failure = `${scenario.status}${scenario.message ? `: ${scenario.message}` : ''}`;
  const standing = scenario.quarantine;
  if (standing?.kind === 'quarantined') {
    if (scenario.status === 'PASSED' && !scenario.flaky) return undefined;
    const { owner, expires } = standing.entry;
    const message = `quarantined (owner ${owner}, until ${expires}): ${failure}`;
    return { level: 'notice', line: annotation('notice', scenario, message), rank: 0 };
  }
  if (scenario.status !== 'PASSED') {
    const critical = scenario.tags.some((tag) => requiredTags.includes(tag));
    return {
      level: 'error',
      line: annotation('error', scenario, failure + note(scenario, verdict)),
      rank: critical ? 0 : 1,
    };
  }
  if (!scenario.flaky) return undefined;
  return {
    level: 'warning',
    line: annotation('warning', scenario, `flaky: passed on attempt ${scenario.attempts}`),
    rank: 0,
  };
}

export interface Annotations {
  /** The workflow commands to print, at most annotationsPerLevel of each level, the most important first. */
  lines: string[];
  /** How many of each level were left out. */
  leftOut: Record<Level, number>;
}

/**
 * One annotation per scenario that blocks (error), passed only on a retry (warning), or did not pass
 * but is quarantined (notice: it does not block, and whose it is stays in sight).
 */
export function annotations(verdict: Verdict, requiredTags: readonly string[] = []): Annotations {
  const all = verdict.scenarios.flatMap((scenario) => annotated(scenario, verdict, requiredTags) ?? []);
  const leftOut: Record<Level, number> = { error: 0, warning: 0, notice: 0 };
  const lines = (['error', 'warning', 'notice'] as const).flatMap((level) => {
    const ofLevel = all.filter((entry) => entry.level === level).sort((a, b) => a.rank - b.rank);
    leftOut[level] = Math.max(0, ofLevel.length - annotationsPerLevel);
    return ofLevel.slice(0, annotationsPerLevel).map((entry) => entry.line);
  });
  return { lines, leftOut };
}

/** The note the job summary gets when GitHub would not show every annotation. */
export function leftOutNote({ leftOut }: Annotations): string {
  const parts = [
    ...(leftOut.error > 0 ? [`${leftOut.error} more blocking scenarios`] : []),
    ...(leftOut.warning > 0 ? [`${leftOut.warning} more flaky scenarios`] : []),
    ...(leftOut.notice > 0 ? [`${leftOut.notice} more quarantined failures`] : []),
  ];
  if (parts.length === 0) return '';
  return `> GitHub shows at most ${annotationsPerLevel} annotations of each kind per step: ${parts.join(', ')} are not annotated. Every one is in the tables above and in gate.json.`;
}

/** Why the quarantine did not keep it from blocking (expired, a required tag, a bare tag). */
function note(scenario: JudgedScenario, verdict: Verdict): string {
  const text = quarantineNote(scenario, verdict.quarantine).replace(/^; /, '');
  return text ? ` (${text})` : '';
}

/** Writes the summary and the output; returns the annotation lines for stdout (required tags first). */
export function publishToGitHub(
  verdict: Verdict,
  summary: string,
  env: Env,
  requiredTags: readonly string[],
): string[] {
  const annotated = annotations(verdict, requiredTags);
  const note = leftOutNote(annotated);
  if (env.GITHUB_STEP_SUMMARY)
    appendFileSync(env.GITHUB_STEP_SUMMARY, `${summary}${note ? `\n${note}\n` : ''}\n`);
  if (env.GITHUB_OUTPUT) appendFileSync(env.GITHUB_OUTPUT, `verdict=${verdict.verdict}\n`);
  return annotated.lines;
}
