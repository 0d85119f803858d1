// Global test set-up: one RabbitMQ and one PostgreSQL for the whole test run (containers when Docker
// answers, URLs from the environment otherwise), handed to test files through environment variables.
// The containers are the product's own (startBroker, startDatabase): the same images, settings and
// readiness checks a run gets, on a Docker network of the test run's.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getContainerRuntimeClient } from 'testcontainers';
import { infrastructureContainer } from '../../src/config/defaults.ts';
import { dockerEngine } from '../../src/drivers/docker-engine.ts';
import { createComponentLogs } from '../../src/environment/component-logs.ts';
import { type RunContext, startBroker, startDatabase } from '../../src/environment/infrastructure.ts';

/** Variables a user sets to run the tests against a broker and database they already have. */
export const infrastructureVariables = {
  amqp: 'MES_E2E_TEST_AMQP_URL',
  management: 'MES_E2E_TEST_RABBITMQ_MANAGEMENT_URL',
  database: 'MES_E2E_TEST_DATABASE_URL',
} as const;

/** Not a run's labels: env prune, which removes what dead runs left, never takes these. */
const testLabels = { 'org.mes-e2e.purpose': 'test' };

let removeStarted: () => Promise<void> = async () => {};

/** A run context of the test run's own: a network, a log folder, a password, no run labels. */
async function testRunContext(): Promise<RunContext> {
  const name = `mes-e2e-test-${randomBytes(4).toString('hex')}`;
  const docker = await dockerEngine();
  const network = await docker.createNetwork({ Name: name, Labels: testLabels, CheckDuplicate: true });
  const logDir = mkdtempSync(join(tmpdir(), 'mes-e2e-test-infrastructure-'));
  const password = 'mes-e2e-test';
  const context: RunContext = {
    runId: name,
    logs: createComponentLogs(logDir, [password]),
    onProgress: () => {},
    labelsOf: () => testLabels,
    timeoutOf: () => 90_000,
    network: name,
    password,
    containers: [],
    checkpoint: () => {},
    track: (creation) => creation,
  };
  removeStarted = async () => {
    // Those on the network: one that never got ready is not among context.containers.
    const attached = await docker.listContainers({ all: true, filters: { network: [name] } });
    await Promise.all(
      attached.map(({ Id }) =>
        docker
          .getContainer(Id)
          .remove({ force: true, v: true })
          .catch(() => {}),
      ),
    );
    await network.remove().catch(() => {});
    rmSync(logDir, { recursive: true, force: true });
  };
  return context;
}

export async function globalSetup(): Promise<void> {
  const given = Object.values(infrastructureVariables).filter((name) => process.env[name]);
  if (given.length === 3) {
    console.log('# integration tests use the broker and database given by MES_E2E_TEST_* variables');
    return;
  }
  if (given.length > 0) {
    throw new Error(
      `only ${given.join(', ')} set: give all of ${Object.values(infrastructureVariables).join(', ')}, or none to use containers`,
    );
  }
  // The harness removes what it starts; the reaper image cannot be pulled on machines without a registry.
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  if (!process.env.DOCKER_HOST) process.env.TESTCONTAINERS_HOST_OVERRIDE ??= 'localhost';
  try {
    await getContainerRuntimeClient();
  } catch (error) {
    throw new Error(
      'integration tests need RabbitMQ and PostgreSQL: no Docker engine answers. Run `npm run setup` (installs and ' +
        `starts one where it can), or set ${Object.values(infrastructureVariables).join(', ')}.`,
      { cause: error },
    );
  }
  const context = await testRunContext();
  try {
    const [broker, database] = await Promise.all([
      startBroker(context, infrastructureContainer('rabbitmq')),
      startDatabase(context, infrastructureContainer('postgres')),
    ]);
    // Both settled before any removal: a container still starting would be left behind.
    const failed = (await Promise.allSettled([broker.ready, database.ready])).find(
      (start) => start.status === 'rejected',
    );
    if (failed) throw failed.reason;
    process.env[infrastructureVariables.amqp] = broker.endpoints.amqpUrl;
    process.env[infrastructureVariables.management] = broker.endpoints.managementUrl ?? '';
    process.env[infrastructureVariables.database] = database.endpoints.url;
  } catch (error) {
    await removeStarted();
    throw error;
  }
}

export async function globalTeardown(): Promise<void> {
  await removeStarted();
  removeStarted = async () => {};
}
