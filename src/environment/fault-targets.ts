// The run's components as the chaos driver may see them: from the environment record, each component's
// fault target (its container, its process and labels, or "given by URL") and how to tell it is ready.
import { join } from 'node:path';
import type { ComponentName } from '../config/schema.ts';
import { httpBaseUrlOf, secretsIn } from '../drivers/endpoints.ts';
import type { FaultTarget, FaultTargets } from '../drivers/fault-targets.ts';
import type { Readiness } from '../drivers/probes.ts';
import type { EnvironmentRecord } from './environment.ts';
import { labels, labelsAsEnv } from './run-id.ts';

/** One attempt at the component's readiness: what a handle's `ready()` repeats and `env status` asks once. */
export function readinessOf(record: EnvironmentRecord, component: ComponentName): Readiness {
  const { endpoints } = record;
  if (component === endpoints.rabbitmq.name)
    return { probe: 'amqp-handshake', url: endpoints.rabbitmq.amqpUrl };
  if (component === endpoints.postgres?.name)
    return { probe: 'sql-select-one', url: endpoints.postgres.databaseUrl };
  if (component === endpoints.replica?.name)
    return { probe: 'sql-standby-streaming', url: endpoints.replica.databaseUrl };
  const recorded = record.readiness?.[component];
  if (recorded) return recorded;
  const process = record.processes.find((p) => p.component === component);
  if (process && !process.readyUrl) return { probe: 'tcp-listening', port: process.port };
  const url = httpBaseUrlOf(endpoints, component);
  if (process) return { probe: 'http-ready', url: process.readyUrl ?? `${url}/health/ready` };
  if (record.containers.some((c) => c.component === component))
    return { probe: 'http-ready', url: `${url}/health/ready` };
  // Someone else's service, given by URL: it counts as ready when it answers at all.
  return { probe: 'http-answers', url };
}

/** The names of the recorded environment's components: its broker, its database and replica, its services. */
export function componentNamesOf(record: EnvironmentRecord): ComponentName[] {
  const { rabbitmq, postgres, replica, services } = record.endpoints;
  return [
    rabbitmq.name,
    ...(postgres ? [postgres.name] : []),
    ...(replica ? [replica.name] : []),
    ...Object.keys(services),
  ];
}

function faultTargetOf(record: EnvironmentRecord, component: ComponentName): FaultTarget {
  const readiness = readinessOf(record, component);
  const extraLabels = { [labels.component]: `${component}-extra` };
  const container = record.containers.find((c) => c.component === component);
  if (container) {
    return { source: 'container', component, readiness, containerId: container.id, extraLabels };
  }
  const process = record.processes.find((p) => p.component === component);
  if (process) {
    return {
      source: 'process',
      component,
      readiness,
      process,
      labels: labelsAsEnv({ [labels.runId]: record.runId, [labels.component]: component }),
      extra: { logFile: join(record.logDir, `${component}-extra.log`), env: labelsAsEnv(extraLabels) },
    };
  }
  return { source: 'url', component, readiness };
}

/** What the runner hands the scenarios' chaos driver, beside the endpoints: data only. */
export function faultTargetsOf(record: EnvironmentRecord): FaultTargets {
  const components = Object.fromEntries(
    componentNamesOf(record).map((component) => [component, faultTargetOf(record, component)]),
  );
  return { components, secrets: secretsIn(record.endpoints) };
}
