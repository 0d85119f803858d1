// The scenarios a selection picks, from cucumber's own loading, before anything is started: in run
// order with their places, or listed with their tags and undefined steps; a Gherkin error names its
// file and line.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSources } from '@cucumber/cucumber/api';
import type { TestCase } from '@cucumber/messages';
import { Query } from '@cucumber/query';
import type { Selection } from '../config/selection.ts';
import { MesE2eError } from '../errors.ts';
import { runScenarios } from './cucumber-run.ts';

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
        paths: [...selection.paths],
        names: [...selection.names],
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
