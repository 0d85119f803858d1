// What the chaos driver may act on, per component, as plain data the environment hands over beside the
// endpoints: a container by its id, a process by its pid, command and labels, or nothing at all for a
// component given by URL. Enough to break, restore, scale out and read the log of each; nothing more.
import type { ComponentName } from '../config/schema.ts';
import type { Readiness } from './probes.ts';
import type { ProcessRecord } from './processes.ts';

/** A container of the run, controlled through the Docker engine. */
export interface ContainerTarget {
  source: 'container';
  component: ComponentName;
  readiness: Readiness;
  containerId: string;
  /** Docker labels a scale-out instance carries instead of the original's, so that it is removed too. */
  extraLabels: Record<string, string>;
}

/** A process of this machine, controlled by signals, and started again with the same command. */
export interface ProcessTarget {
  source: 'process';
  component: ComponentName;
  readiness: Readiness;
  /** Its pid follows the process when the chaos driver starts it again. */
  process: ProcessRecord;
  /** Environment variables only this component's process of this run carries: found again by them. */
  labels: Record<string, string>;
  /** Where a scale-out instance logs, and the variables it carries instead of the original's labels. */
  extra: { logFile: string; env: Record<string, string> };
}

/** Someone else's service, given by URL: every fault refuses, saying why. */
export interface UrlTarget {
  source: 'url';
  component: ComponentName;
  readiness: Readiness;
}

export type FaultTarget = ContainerTarget | ProcessTarget | UrlTarget;

export interface FaultTargets {
  components: Record<ComponentName, FaultTarget>;
  /** Masked in every log tail. */
  secrets: string[];
}

/** A component's fault target by name; a clear error for a name the run does not have. */
export function faultTargetNamed(targets: FaultTargets, component: ComponentName): FaultTarget {
  const target = Object.hasOwn(targets.components, component) ? targets.components[component] : undefined;
  if (target) return target;
  throw new Error(
    `no component named "${component}" in this run; it has: ${Object.keys(targets.components).join(', ')}`,
  );
}
