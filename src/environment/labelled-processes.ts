// The processes of runs on this machine, found by the run labels their environment carries (as
// MES_E2E_* variables): what env down, env status and env prune look for beside containers.
import { processEnvironments } from '../drivers/processes.ts';
import { labels, labelsFromEnv, type RunLabels, variableOf } from './run-id.ts';

export function findLabelledProcesses(): Array<{ pid: number; labels: RunLabels }> {
  return processEnvironments(variableOf(labels.runId)).map((p) => ({
    pid: p.pid,
    labels: labelsFromEnv(p.env),
  }));
}
