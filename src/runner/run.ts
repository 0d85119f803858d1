// One run, start to verdict, as tasks (src/runner/tasks.ts): select the scenarios, prepare the
// report folder, bring the environment up (or reuse the one `env up` keeps), run the scenarios, write
// the reports and evaluate the gate; the environment's teardown runs whatever happens after it started.

import { appendFile, mkdir, rm, symlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { RunPlan } from '../config/load.ts';
import { violationsEnvelope } from '../contracts/violations.ts';
import { componentHandle } from '../drivers/component-handles.ts';
import { faultTargetNamed } from '../drivers/fault-targets.ts';
import {
  type EnvironmentRecord,
  type StartedEnvironment,
  startEnvironment,
} from '../environment/environment.ts';
import { componentNamesOf, faultTargetsOf } from '../environment/fault-targets.ts';
import { readRecord } from '../environment/record-file.ts';
import { newRunId } from '../environment/run-id.ts';
import { evaluateResults, type GateVerdict } from '../gate/results.ts';
import { compromisedEnvelope } from '../gate/run-identity.ts';
import { writeRunReports } from '../report/write-reports.ts';
import { runScenarios } from './cucumber-run.ts';
import { earlyStop } from './early-stop.ts';
import { createProgress, type ScenarioFinished } from './progress.ts';
import { type PlannedScenario, planScenarios } from './suite.ts';
import { runTasks, type Task } from './tasks.ts';
import { testedIdentity } from './tested-identity.ts';
import { type WireWatch, watchWire } from './wire-watch.ts';
import { worldParametersOf } from './world-parameters.ts';

export interface RunRequest {
  /** Everything the run needs to know: selection, parallelism, retries, reports, name, deadlines. */
  plan: RunPlan;
  /** Handed to cucumber's workers (with the step timeout added). */
  env: Readonly<Record<string, string | undefined>>;
  signal: AbortSignal;
  onForce(action: () => Promise<void>): void;
  onStage(stage: string): void;
  onProgress(message: string): void;
  onScenario(finished: ScenarioFinished): void;
}

export interface RunOutcome {
  runId: string;
  reportDir: string;
  planned: PlannedScenario[];
  /** Undefined when the run was interrupted before the scenarios finished. */
  /** Its `compromised` names components that were not healthy at the end: the run proves nothing. */
  verdict: GateVerdict | undefined;
  environment: 'reused' | 'started' | 'none';
  durationMs: number;
}

/**
 * Every component should be ready again at the end: scenarios put back what they break. One that
 * is not broke during the run, and the failures it caused are not the product's.
 */
async function brokenComponents(record: EnvironmentRecord | undefined): Promise<string[]> {
  if (!record) return [];
  const targets = faultTargetsOf(record);
  const checks = componentNamesOf(record).map(async (component) => {
    try {
      await componentHandle(faultTargetNamed(targets, component)).ready(10_000);
      return [];
    } catch (error) {
      return [`${component} is not ready at the end of the run (${(error as Error).message})`];
    }
  });
  return (await Promise.all(checks)).flat();
}

/** The environment `env up` keeps, when there is one and it serves this profile. */
function keptEnvironment(plan: RunPlan): EnvironmentRecord | undefined {
  const record = readRecord(plan.reportsDir);
  return record && record.profile === plan.profile ? record : undefined;
}

async function pointLatestAt(reportsDir: string, reportDir: string): Promise<void> {
  const latest = join(reportsDir, 'latest');
  await rm(latest, { force: true, recursive: false }).catch(() => {});
  await symlink(relative(reportsDir, reportDir), latest).catch(() => {});
}

/** What the tasks of one run find and leave for the next ones. */
interface RunState {
  request: RunRequest;
  runId: string;
  reportDir: string;
  began: number;
  planned: PlannedScenario[];
  kept: EnvironmentRecord | undefined;
  started: StartedEnvironment | undefined;
  environment: RunOutcome['environment'];
  verdict: GateVerdict | undefined;
  wire: WireWatch | undefined;
}

const record = (state: RunState) => state.kept ?? state.started?.record;

const runTasksOfSuite: ReadonlyArray<Task<RunState>> = [
  {
    title: 'selecting scenarios',
    async setup(state) {
      state.planned = await planScenarios(state.request.plan.selection);
      // Only a run that has scenarios needs an environment, and it may use the one env up keeps.
      if (state.planned.length > 0) state.kept = keptEnvironment(state.request.plan);
      await mkdir(state.reportDir, { recursive: true });
      await pointLatestAt(state.request.plan.reportsDir, state.reportDir);
    },
  },
  {
    title: (state) =>
      state.planned.length === 0
        ? 'environment: none needed'
        : state.kept
          ? `environment: reusing ${state.kept.runId} (from env up)`
          : `environment: starting (profile ${state.request.plan.profile})`,
    async setup(state) {
      const { request } = state;
      if (state.planned.length === 0) return;
      if (state.kept) {
        state.environment = 'reused';
        return;
      }
      const starting = startEnvironment(request.plan, {
        runId: state.runId,
        onProgress: request.onProgress,
        signal: request.signal,
        onForce: request.onForce,
      });
      state.started = await starting;
      state.environment = 'started';
      request.onForce(async () => void (await state.started?.down()));
    },
    async teardown(state) {
      if (!state.started) return;
      state.request.onStage('environment: removing what this run started');
      await state.started.down();
    },
  },
  {
    title: 'contracts on the wire: watching the bus',
    async setup(state) {
      const environment = record(state);
      const { plan } = state.request;
      const anyRule = Object.values(plan.policy.rules).some(Boolean);
      if (state.planned.length === 0 || !environment || !anyRule) return;
      state.wire = await watchWire({
        asyncapi: plan.contracts.asyncapi.document,
        journey: plan.journey,
        endpoints: environment.endpoints,
        rules: plan.policy.rules,
        onProgress: state.request.onProgress,
      });
    },
    async teardown(state) {
      await state.wire?.close();
    },
  },
  {
    title: (state) =>
      `scenarios: ${state.planned.length} selected, ${state.request.plan.run.parallel} at a time`,
    abandonOnInterrupt: true,
    async setup(state) {
      state.verdict = await runAndJudge(state);
    },
  },
];

/** Runs the scenarios, records a broken environment in the messages, writes the reports, judges. */
async function runAndJudge(state: RunState): Promise<GateVerdict> {
  const { request, runId, reportDir } = state;
  const { plan } = request;
  const worldParameters = worldParametersOf(plan, record(state), reportDir);
  const stopWhenFailing = earlyStop({
    maxFailures: plan.run.failFast ? 1 : plan.run.maxFailures,
    policy: plan.policy,
    stopFile: worldParameters.stopFile,
    onStop: (reason) => request.onProgress(`${reason}: scenarios not started yet will not run`),
  });
  const finished = await runScenarios({
    selection: plan.selection,
    cwd: plan.selection.cwd,
    // Read by the step support code in every worker: how long one step may take.
    env: { ...request.env, MES_E2E_STEP_TIMEOUT_MS: String(plan.run.stepTimeoutMs) },
    parallel: plan.run.parallel,
    retry: plan.run.retry,
    reportDir,
    worldParameters,
    identity: await testedIdentity(plan, {
      runId,
      env: request.env,
      planned: state.planned,
      record: record(state),
    }),
    onEnvelope: createProgress((scenario) => {
      request.onScenario(scenario);
      stopWhenFailing(scenario);
    }),
  });
  request.onStage('reports and verdict');
  const compromised = await brokenComponents(record(state));
  const envelopes = [...finished.envelopes];
  const runStartedId = envelopes.find((e) => e.testRunStarted)?.testRunStarted?.id;
  if (state.wire) {
    request.onStage('contracts on the wire: what the run left');
    // In the messages themselves, so that a gate over the shards judges them too.
    const checked = violationsEnvelope(await state.wire.finish(envelopes), runStartedId);
    envelopes.push(checked);
    await appendFile(finished.messagesFile, `${JSON.stringify(checked)}\n`);
  }
  if (compromised.length > 0) {
    // In the messages themselves, so that a gate over the shards sees it too.
    const broken = compromisedEnvelope(compromised, runStartedId);
    envelopes.push(broken);
    await appendFile(finished.messagesFile, `${JSON.stringify(broken)}\n`);
  }
  // A shard's run judges the shard; the rules over the whole run are the gate's, over all shards.
  const verdict = evaluateResults([{ source: finished.messagesFile, envelopes }], plan.policy, {
    wholeRun: !plan.selection.shard,
  });
  const problems = await writeRunReports(envelopes, verdict, {
    runId,
    reportDir,
    durationMs: performance.now() - state.began,
    environment: {
      profile: plan.profile,
      environment: record(state)?.runId ?? 'none',
      parallel: String(plan.run.parallel),
    },
  });
  for (const problem of problems) request.onProgress(`report not written: ${problem}`);
  return verdict;
}

export async function runSuite(request: RunRequest): Promise<RunOutcome> {
  const runId = newRunId();
  const state: RunState = {
    request,
    runId,
    reportDir: join(request.plan.reportsDir, runId),
    began: performance.now(),
    planned: [],
    kept: undefined,
    started: undefined,
    environment: 'none',
    verdict: undefined,
    wire: undefined,
  };
  const ended = await runTasks(runTasksOfSuite, state, {
    signal: request.signal,
    onStage: request.onStage,
    onTeardownError: (title, error) =>
      request.onProgress(`${title}: teardown failed: ${(error as Error).message}`),
  });
  return {
    runId,
    reportDir: state.reportDir,
    planned: state.planned,
    verdict: ended === 'interrupted' ? undefined : state.verdict,
    environment: state.environment,
    durationMs: performance.now() - state.began,
  };
}
