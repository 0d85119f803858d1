// The identity a run writes into its messages: which run and shard, and what exactly it tested (the
// commit, the CI run and attempt, the scenario set, the configuration, every component's image), so
// that the gate can refuse to merge shards that tested different things and a promotion can copy
// exactly the images that were tested.
import { dirname } from 'node:path';
import type { RunPlan } from '../config/load.ts';
import { git } from '../contracts/git-revision.ts';
import type { EnvironmentRecord } from '../environment/environment.ts';
import { type CiRun, parseShardText, type RunIdentity } from '../gate/run-identity.ts';
import { scenarioSetOf } from './scenario-set.ts';
import type { PlannedScenario } from './suite.ts';
import { testedComponents } from './tested-components.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** GitHub Actions' run and attempt; undefined outside it. */
export function ciRunOf(env: Env): CiRun | undefined {
  const runId = env.GITHUB_RUN_ID;
  if (!runId) return undefined;
  const attempt = Number(env.GITHUB_RUN_ATTEMPT ?? '1');
  const url =
    env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY
      ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${runId}`
      : undefined;
  return { runId, attempt: Number.isInteger(attempt) && attempt > 0 ? attempt : 1, url };
}

/** The checkout's HEAD, when the caller did not name the commit (GITHUB_SHA, `commit`). */
const headCommit = async (folder: string) => (await git(folder, ['rev-parse', 'HEAD']))?.trim() || undefined;

export async function testedIdentity(
  plan: RunPlan,
  run: {
    runId: string;
    env: Env;
    planned: readonly PlannedScenario[];
    record: EnvironmentRecord | undefined;
  },
): Promise<RunIdentity> {
  const folder = plan.configFile ? dirname(plan.configFile) : plan.selection.cwd;
  const [commit, scenarioSet, components] = await Promise.all([
    plan.run.commit ?? headCommit(folder),
    scenarioSetOf(plan.selection, run.planned),
    run.record ? testedComponents(plan, run.record) : undefined,
  ]);
  return {
    name: plan.run.name ?? run.runId,
    runId: run.runId,
    shard: parseShardText(plan.selection.shard),
    commit,
    ci: ciRunOf(run.env),
    scenarioSet,
    configSha256: plan.configSha256,
    components,
  };
}
