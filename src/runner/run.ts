// One run, start to verdict: select the scenarios, bring the environment up (or reuse the one
// `env up` keeps), run them, write the reports, evaluate the gate, and take down what it started.
// Each stage registers its teardown before it sets up, so an error or an interrupt at any point
// still removes everything.

import { appendFile, mkdir, rm, symlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { RunPlan } from '../config/load.ts';
import { componentNames } from '../config/schema.ts';
import { chromiumVariable } from '../drivers/browser.ts';
import { componentHandle } from '../drivers/component-handles.ts';
import { type EnvironmentRecord, startEnvironment } from '../environment/environment.ts';
import { faultTargetsOf } from '../environment/fault-targets.ts';
import { readRecord } from '../environment/record-file.ts';
import { newRunId } from '../environment/run-id.ts';
import { evaluateResults, type GateVerdict } from '../gate/results.ts';
import { compromisedEnvelope, parseShardText } from '../gate/run-identity.ts';
import { writeRunReports } from '../report/write-reports.ts';
import { runScenarios } from './cucumber-run.ts';
import { createProgress, type ScenarioFinished } from './progress.ts';
import type { Selection } from './selection.ts';
import { type PlannedScenario, planScenarios } from './suite.ts';

export interface RunRequest {
  plan: RunPlan;
  selection: Selection;
  env: Readonly<Record<string, string | undefined>>;
  parallel: number;
  retry: number;
  failFast: boolean;
  /** Where reports/<run-id>/ goes; the configuration's reportsDir otherwise. */
  reportsDir: string;
  /** The run's name, shared by its shards (--name); the run id when not given. */
  name: string | undefined;
  /** The commit under test, when the caller knows it (GITHUB_SHA in Actions). */
  commit: string | undefined;
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
  const checks = componentNames.map(async (component) => {
    try {
      await componentHandle(targets.components[component]).ready(10_000);
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

/** Resolves when the signal aborts: cucumber has no cancel, so the run stops waiting on it instead. */
const aborted = (signal: AbortSignal) =>
  new Promise<'interrupted'>((resolve) => {
    if (signal.aborted) resolve('interrupted');
    signal.addEventListener('abort', () => resolve('interrupted'), { once: true });
  });

async function pointLatestAt(reportsDir: string, reportDir: string): Promise<void> {
  const latest = join(reportsDir, 'latest');
  await rm(latest, { force: true, recursive: false }).catch(() => {});
  await symlink(relative(reportsDir, reportDir), latest).catch(() => {});
}

export async function runSuite(request: RunRequest): Promise<RunOutcome> {
  const began = performance.now();
  const runId = newRunId();
  const reportDir = join(request.reportsDir, runId);
  request.onStage('selecting scenarios');
  const planned = await planScenarios(request.selection);
  await mkdir(reportDir, { recursive: true });
  await pointLatestAt(request.reportsDir, reportDir);

  const teardowns: Array<() => Promise<unknown>> = [];
  let environment: RunOutcome['environment'] = 'none';
  try {
    let record: EnvironmentRecord | undefined;
    if (planned.length > 0) {
      record = keptEnvironment(request.plan);
      if (record) {
        environment = 'reused';
        request.onStage(`environment: reusing ${record.runId} (from env up)`);
      } else {
        request.onStage(`environment: starting (profile ${request.plan.profile})`);
        const started = await startEnvironment(
          { ...request.plan, reportsDir: request.reportsDir },
          { runId, onProgress: request.onProgress, signal: request.signal, onForce: request.onForce },
        );
        teardowns.push(() => started.down());
        request.onForce(async () => void (await started.down()));
        record = started.record;
        environment = 'started';
      }
    }
    request.onStage(`scenarios: ${planned.length} selected, ${request.parallel} at a time`);
    const progress = createProgress(request.onScenario);
    const scenarios = runScenarios({
      selection: request.selection,
      cwd: request.selection.cwd,
      env: request.env,
      parallel: request.parallel,
      retry: request.retry,
      failFast: request.failFast,
      reportDir,
      worldParameters: {
        endpoints: record?.endpoints ?? null,
        faultTargets: record ? faultTargetsOf(record) : null,
        artifactsDir: join(reportDir, 'artifacts'),
        chromium: request.plan.chromium ?? request.env[chromiumVariable],
      },
      identity: {
        name: request.name ?? runId,
        runId,
        shard: parseShardText(request.selection.shard),
        commit: request.commit,
      },
      onEnvelope: progress,
    });
    const finished = await Promise.race([scenarios, aborted(request.signal)]);
    if (finished === 'interrupted') {
      scenarios.catch(() => {});
      return {
        runId,
        reportDir,
        planned,
        verdict: undefined,
        environment,
        durationMs: performance.now() - began,
      };
    }
    request.onStage('reports and verdict');
    const compromised = await brokenComponents(record);
    const envelopes = [...finished.envelopes];
    if (compromised.length > 0) {
      // In the messages themselves, so that a gate over the shards sees it too.
      const broken = compromisedEnvelope(
        compromised,
        envelopes.find((e) => e.testRunStarted)?.testRunStarted?.id,
      );
      envelopes.push(broken);
      await appendFile(finished.messagesFile, `${JSON.stringify(broken)}\n`);
    }
    // A shard's run judges the shard; the rules over the whole run are the gate's, over all shards.
    const verdict = evaluateResults([{ source: finished.messagesFile, envelopes }], request.plan.policy, {
      wholeRun: !request.selection.shard,
    });
    const durationMs = performance.now() - began;
    const problems = await writeRunReports(envelopes, verdict, {
      runId,
      reportDir,
      durationMs,
      environment: {
        profile: request.plan.profile,
        environment: record?.runId ?? 'none',
        parallel: String(request.parallel),
      },
    });
    for (const problem of problems) request.onProgress(`report not written: ${problem}`);
    return { runId, reportDir, planned, verdict, environment, durationMs };
  } finally {
    if (teardowns.length > 0) request.onStage('environment: removing what this run started');
    for (const teardown of teardowns.reverse()) await teardown().catch(() => {});
  }
}
