// A RabbitMQ container of a test's own, for tests that stop and start the broker under the services.

import { RabbitMQContainer, type StartedRabbitMQContainer } from '@testcontainers/rabbitmq';
import { defaultImages } from '../../src/config/images.ts';

export interface OwnBroker {
  amqpUrl: string;
  managementUrl: string;
  /** Stops the RabbitMQ application: connections drop, the port refuses new ones, queued messages stay on disk. */
  stopApp(): Promise<void>;
  startApp(): Promise<void>;
  dispose(): Promise<void>;
}

export async function startOwnBroker(): Promise<OwnBroker> {
  const container: StartedRabbitMQContainer = await new RabbitMQContainer(defaultImages.rabbitmq)
    .withEnvironment({ RABBITMQ_DEFAULT_USER: 'mes', RABBITMQ_DEFAULT_PASS: 'own-broker' })
    .withLabels({ 'org.mes-e2e.purpose': 'test' })
    .withStartupTimeout(90_000)
    .start();
  const host = container.getHost();
  const ctl = async (command: string) => {
    const result = await container.exec(['rabbitmqctl', command]);
    if (result.exitCode !== 0) throw new Error(`rabbitmqctl ${command} failed: ${result.output}`);
  };
  return {
    amqpUrl: `amqp://mes:own-broker@${host}:${container.getMappedPort(5672)}`,
    managementUrl: `http://mes:own-broker@${host}:${container.getMappedPort(15672)}`,
    stopApp: () => ctl('stop_app'),
    startApp: () => ctl('start_app'),
    async dispose() {
      await container.stop();
    },
  };
}
