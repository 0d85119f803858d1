// A PostgreSQL container of a test's own, on a fixed host port so that it keeps its address across restarts.

import { PostgreSqlContainer, type StartedPostgreSqlContainer } from '@testcontainers/postgresql';
import { defaultImages } from '../../src/config/images.ts';
import { freePort } from '../../src/environment/ports.ts';

export interface OwnDatabase {
  adminUrl: string;
  /** Stops PostgreSQL (every connection drops) and starts it again on the same port. */
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

export async function startOwnDatabase(): Promise<OwnDatabase> {
  const port = await freePort();
  const container: StartedPostgreSqlContainer = await new PostgreSqlContainer(defaultImages.postgres)
    .withUsername('mes')
    .withPassword('own-database')
    .withDatabase('postgres')
    .withExposedPorts({ container: 5432, host: port })
    .withLabels({ 'org.mes-e2e.purpose': 'test' })
    .withStartupTimeout(90_000)
    .start();
  return {
    adminUrl: container.getConnectionUri(),
    restart: () => container.restart(),
    async dispose() {
      await container.stop();
    },
  };
}
