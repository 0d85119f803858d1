// A test file's own environment, started by the product itself (startEnvironment on a plan loaded
// from a configuration file, as a user's would be): by default the local profile, the reference
// services as processes of this machine over the test run's broker and database.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRunPlan } from '../../src/config/load.ts';
import type { ComponentName, ConfigFile, ProfileName } from '../../src/config/schema.ts';
import type { BusObserver } from '../../src/drivers/bus-observer.ts';
import { type ComponentHandle, componentHandle } from '../../src/drivers/component-handles.ts';
import { faultTargetNamed } from '../../src/drivers/fault-targets.ts';
import { isAlive } from '../../src/drivers/processes.ts';
import { type EnvironmentRecord, startEnvironment } from '../../src/environment/environment.ts';
import { faultTargetsOf } from '../../src/environment/fault-targets.ts';
import { newRunId } from '../../src/environment/run-id.ts';
import { deadLetterExchangesOf, observeJourneyBus } from '../../src/journey/bus-watch.ts';
import { infrastructureVariables } from './infrastructure.ts';

/** Components as a configuration file gives them: a service's settings, a broker of its own. */
export type Components = NonNullable<ConfigFile['components']>;

export interface TestEnvironment {
  /** What the product recorded: endpoints, API keys, the service processes and their log files. */
  record: EnvironmentRecord;
  /** A bus observer of the plan's journey (and dead-letter exchanges) on this environment's broker. */
  observeBus(): Promise<BusObserver>;
  /**
   * Stops the services still running with SIGTERM, removes the environment, and fails unless each
   * service exited 0: a stuck or failing shutdown is a bug of the service.
   */
  stop(): Promise<void>;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: run the tests through npm test (its global set-up provides it)`);
  return value;
}

/** The local profile's broker and database: the test run's, unless the test brings its own. */
function sharedInfrastructure(components: Components): Components {
  return {
    rabbitmq: components.rabbitmq ?? {
      source: 'url',
      url: required(infrastructureVariables.amqp),
      managementUrl: required(infrastructureVariables.management),
    },
    postgres: components.postgres ?? { source: 'url', url: required(infrastructureVariables.database) },
  };
}

export async function startTestEnvironment(
  options: { profile?: ProfileName; components?: Components } = {},
): Promise<TestEnvironment> {
  const { profile = 'local', components = {} } = options;
  const project = mkdtempSync(join(tmpdir(), 'mes-e2e-test-'));
  const config: ConfigFile = {
    profile,
    components: profile === 'local' ? { ...components, ...sharedInfrastructure(components) } : components,
  };
  writeFileSync(join(project, 'mes-e2e.config.json'), JSON.stringify(config));
  const plan = await loadRunPlan({ cwd: project, env: {}, dockerAnswers: async () => false });
  const environment = await startEnvironment(plan, { runId: newRunId(), onProgress: () => {} });
  const { record } = environment;
  return {
    record,
    observeBus: () =>
      observeJourneyBus(
        plan.journey,
        deadLetterExchangesOf(plan.contracts.asyncapi.document),
        record.endpoints,
      ),
    async stop() {
      const running = record.processes.filter((p) => isAlive(p.pid));
      const handles = running.map((p) => handleOf(record, p.component));
      const endings = await Promise.all(handles.map((handle) => handle.stop().catch(String)));
      const unclean = await Promise.all(
        handles.map(async (handle, i) =>
          endings[i] === 'exit code 0'
            ? ''
            : `${handle.component}: ${endings[i]}\n${await handle.logTail(8)}`,
        ),
      );
      const removed = await environment.down();
      if (unclean.some(Boolean))
        throw new Error(`services did not stop cleanly on SIGTERM:\n${unclean.filter(Boolean).join('\n')}`);
      if (removed.problems.length > 0)
        throw new Error(`the environment was not removed: ${removed.problems.join('; ')}`);
      rmSync(project, { recursive: true, force: true });
    },
  };
}

/** The key of one of the CRM's API clients (b2c-web, b2b-portal, partner-acme, partner-globex). */
export function apiKey(record: EnvironmentRecord, name: string): string {
  const found = record.endpoints.apiKeys.find((k) => k.name === name);
  if (!found) throw new Error(`no API key named ${name}`);
  return found.key;
}

/** A component's fault handle, as the chaos driver gets it: from the record's fault targets. */
export function handleOf(record: EnvironmentRecord, component: ComponentName): ComponentHandle {
  const targets = faultTargetsOf(record);
  return componentHandle(faultTargetNamed(targets, component), targets.secrets);
}
