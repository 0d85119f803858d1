// Global test set-up: one RabbitMQ and one PostgreSQL for the whole test run (containers when Docker
// answers, URLs from the environment otherwise), handed to test files through environment variables.

import { PostgreSqlContainer, type StartedPostgreSqlContainer } from '@testcontainers/postgresql';
import { RabbitMQContainer, type StartedRabbitMQContainer } from '@testcontainers/rabbitmq';
import { getContainerRuntimeClient } from 'testcontainers';
import { defaultImages } from '../../src/config/images.ts';
import { brokerStatisticsConfig } from '../../src/environment/infrastructure.ts';

/** Variables a user sets to run the tests against a broker and database they already have. */
export const infrastructureVariables = {
  amqp: 'MES_E2E_TEST_AMQP_URL',
  management: 'MES_E2E_TEST_RABBITMQ_MANAGEMENT_URL',
  database: 'MES_E2E_TEST_DATABASE_URL',
} as const;

let started: Array<StartedRabbitMQContainer | StartedPostgreSqlContainer> = [];

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
  const password = 'mes-e2e-test';
  const [rabbit, postgres] = await Promise.all([
    new RabbitMQContainer(defaultImages.rabbitmq)
      .withEnvironment({ RABBITMQ_DEFAULT_USER: 'mes', RABBITMQ_DEFAULT_PASS: password })
      .withCopyContentToContainer([brokerStatisticsConfig])
      .withLabels({ 'org.mes-e2e.purpose': 'test' })
      .withStartupTimeout(90_000)
      .start(),
    new PostgreSqlContainer(defaultImages.postgres)
      .withUsername('mes')
      .withPassword(password)
      .withDatabase('postgres')
      .withLabels({ 'org.mes-e2e.purpose': 'test' })
      .withStartupTimeout(90_000)
      .start(),
  ]);
  started = [rabbit, postgres];
  const host = rabbit.getHost();
  process.env[infrastructureVariables.amqp] = `amqp://mes:${password}@${host}:${rabbit.getMappedPort(5672)}`;
  process.env[infrastructureVariables.management] =
    `http://mes:${password}@${host}:${rabbit.getMappedPort(15672)}`;
  process.env[infrastructureVariables.database] = postgres.getConnectionUri();
}

export async function globalTeardown(): Promise<void> {
  await Promise.all(started.map((container) => container.stop()));
  started = [];
}
