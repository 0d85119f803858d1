// Which scenarios a run means: the feature paths, tag expression, names and shard, resolved against
// the suite mes-e2e ships (features/ and steps/), and checked before anything is started: a Gherkin
// error names its file and line, a bad tag expression says so.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSources } from '@cucumber/cucumber/api';
import type { TestCase } from '@cucumber/messages';
import { Query } from '@cucumber/query';
import parseTagExpression from '@cucumber/tag-expressions';
import { type ComponentName, componentNames } from '../config/schema.ts';
import { MesE2eError } from '../errors.ts';
import { codeExtension, codeRoot, packageRoot } from '../package-root.ts';
import { runScenarios } from './cucumber-run.ts';
import type { Selection } from './selection.ts';

/** The package's own suite: the reference scenarios and their steps (compiled in the published package). */
export const suiteRoot = packageRoot;
export const defaultFeaturePaths = [join(packageRoot, 'features')];
/** Named by extension: cucumber's default glob finds only .js, and the sources are TypeScript. */
export const defaultSupportImports = [
  join(codeRoot, 'steps', 'support', `*.${codeExtension}`),
  join(codeRoot, 'steps', `*.steps.${codeExtension}`),
];

export interface PlannedScenario {
  name: string;
  uri: string;
  line: number;
}

/** The scenarios the selection picks, in run order; bad input is a usage error (exit 2). */
export async function planScenarios(selection: Selection): Promise<PlannedScenario[]> {
  let result: Awaited<ReturnType<typeof loadSources>>;
  try {
    result = await loadSources(
      {
        defaultDialect: 'en',
        paths: selection.paths,
        names: selection.names,
        tagExpression: selection.tags,
        order: 'defined',
        ...(selection.shard ? { shard: selection.shard } : {}),
      },
      { cwd: selection.cwd },
    );
  } catch (error) {
    throw new MesE2eError(
      'usage',
      `cannot select scenarios: ${(error as Error).message}`,
      'check --tags (e.g. "@smoke and not @ui"), --shard (i/n) and the feature paths',
      { cause: error },
    );
  }
  if (result.errors.length > 0) {
    const where = result.errors.map((e) => `${e.uri}:${e.location.line}: ${e.message}`);
    throw new MesE2eError(
      'usage',
      `feature file error${where.length > 1 ? 's' : ''}:\n  ${where.join('\n  ')}`,
      'fix the Gherkin at the line named (features/README.md lists every step)',
    );
  }
  return result.plan.map((pickle) => ({ name: pickle.name, uri: pickle.uri, line: pickle.location.line }));
}

/** Checks a tag expression up front: cucumber's own error does not say what is wrong with it. */
export function checkTags(expression: string): string {
  if (expression.trim() === '') return '';
  try {
    parseTagExpression(expression);
  } catch (error) {
    throw new MesE2eError(
      'usage',
      `--tags: "${expression}" is not a tag expression (${(error as Error).message})`,
      'combine tags with and, or, not and parentheses, e.g. "@critical and not @ui"',
    );
  }
  return expression;
}

/**
 * Scenarios tagged @breaks-<component> stop or pause that component; one given by URL belongs to
 * someone else, so those scenarios cannot run on this profile and are left out, with a stated reason.
 */
export function controllableOnly(
  tags: string,
  components: Readonly<Record<ComponentName, { source: string }>>,
) {
  const byUrl = componentNames.filter((name) => components[name].source === 'url');
  if (byUrl.length === 0) return { tags, leftOut: [] as ComponentName[] };
  const exclusion = byUrl.map((name) => `not @breaks-${name}`).join(' and ');
  return { tags: tags.trim() ? `(${tags}) and ${exclusion}` : exclusion, leftOut: byUrl };
}

/** Validates "--shard i/n" as cucumber wants it, with a message a person understands. */
export function parseShard(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const [index, total] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  if (!match || total < 1 || index < 1 || index > total) {
    throw new MesE2eError(
      'usage',
      `--shard: "${text}" is not a shard`,
      'write it as i/n with 1 <= i <= n, e.g. 2/4',
    );
  }
  return `${index}/${total}`;
}

export interface ListedScenario extends PlannedScenario {
  tags: string[];
  /** Steps no step definition matches: such a scenario can never pass. */
  undefinedSteps: number;
}

/** The selected scenarios with their tags, from a dry run: nothing is executed, no environment needed. */
export async function listScenarios(selection: Selection): Promise<ListedScenario[]> {
  const planned = await planScenarios(selection);
  if (planned.length === 0) return [];
  const query = new Query();
  const testCases: TestCase[] = [];
  const reportDir = await mkdtemp(join(tmpdir(), 'mes-e2e-list-'));
  try {
    await runScenarios({
      selection,
      cwd: selection.cwd,
      env: {},
      parallel: 0,
      retry: 0,
      failFast: false,
      dryRun: true,
      reportDir,
      worldParameters: {},
      onEnvelope: (envelope) => {
        query.update(envelope);
        if (envelope.testCase) testCases.push(envelope.testCase);
      },
    });
  } finally {
    await rm(reportDir, { recursive: true, force: true });
  }
  // A dry run announces test cases but starts none: each testCase names its pickle and step matches.
  return testCases.flatMap((testCase) => {
    const pickle = query.findAllPickles().find((candidate) => candidate.id === testCase.pickleId);
    if (!pickle) return [];
    return [
      {
        name: pickle.name,
        uri: pickle.uri,
        line: query.findLocationOf(pickle)?.line ?? 0,
        tags: pickle.tags.map((tag) => tag.name),
        undefinedSteps: testCase.testSteps.filter(
          (step) => step.pickleStepId !== undefined && (step.stepDefinitionIds?.length ?? 0) === 0,
        ).length,
      },
    ];
  });
}
