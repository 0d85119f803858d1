// The reference pipeline for the benchmarks and the dashboard screenshot, brought up by the product
// as a user would (a configuration file, loadRunPlan, startEnvironment): the local profile, its
// services as processes of this machine, over a RabbitMQ and a PostgreSQL container of its own.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultImages } from '../src/config/images.ts';
import { loadRunPlan } from '../src/config/load.ts';
import type { ConfigFile } from '../src/config/schema.ts';
import type { BusObserver } from '../src/drivers/bus-observer.ts';
import { type EnvironmentRecord, startEnvironment } from '../src/environment/environment.ts';
import { newRunId } from '../src/environment/run-id.ts';
import { deadLetterExchangesOf, observeJourneyBus } from '../src/journey/bus-watch.ts';

// As the CLI does: mes-e2e removes what it starts itself, and the reaper's image cannot be pulled
// on machines without a registry.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
if (!process.env.DOCKER_HOST) process.env.TESTCONTAINERS_HOST_OVERRIDE ??= 'localhost';

export interface Pipeline {
  record: EnvironmentRecord;
  /** A bus observer of the plan's journey (and dead-letter exchanges) on the pipeline's broker. */
  observeBus(): Promise<BusObserver>;
  /** Removes everything the environment started, and its logs. */
  stop(): Promise<void>;
}

/** Starts the pipeline; `settings` are environment variables of the services, by service. */
export async function startPipeline(
  settings: Partial<Record<'crm' | 'mes' | 'pricing', Record<string, string>>> = {},
): Promise<Pipeline> {
  const project = mkdtempSync(join(tmpdir(), 'mes-e2e-bench-'));
  const services = Object.fromEntries(
    Object.entries(settings).map(([name, env]) => [name, { source: 'process', env }]),
  );
  const config: ConfigFile = {
    profile: 'local',
    components: {
      rabbitmq: { source: 'container', image: defaultImages.rabbitmq },
      postgres: { source: 'container', image: defaultImages.postgres },
      ...services,
    },
  };
  writeFileSync(join(project, 'mes-e2e.config.json'), JSON.stringify(config));
  const plan = await loadRunPlan({ cwd: project, env: {}, dockerAnswers: async () => true });
  const environment = await startEnvironment(plan, {
    runId: newRunId(),
    onProgress: (message) => process.stderr.write(`${message}\n`),
  });
  return {
    record: environment.record,
    observeBus: () =>
      observeJourneyBus(
        plan.journey,
        deadLetterExchangesOf(plan.contracts.asyncapi.document),
        environment.record.endpoints,
      ),
    async stop() {
      await environment.down();
      rmSync(project, { recursive: true, force: true });
    },
  };
}
