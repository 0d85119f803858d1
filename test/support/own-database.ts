// A PostgreSQL container of a test's own, on a fixed host port so that it keeps its address across restarts.

import { PostgreSqlContainer, type StartedPostgreSqlContainer } from '@testcontainers/postgresql';
import { defaultImages } from '../../src/config/images.ts';
import { freePort } from '../../src/drivers/ports.ts';
import { sqlSelectOne } from '../../src/drivers/probes.ts';
import { waitUntil } from '../../src/wait/wait-until.ts';
import { runCommand } from './run-cli.ts';

export interface OwnDatabase {
  adminUrl: string;
  /** Stops PostgreSQL: every connection drops, and none is accepted until start(). */
  stop(): Promise<void>;
  /** Starts it again on the same port and resolves once it accepts a session. */
  start(): Promise<void>;
  dispose(): Promise<void>;
}

async function docker(args: string[]): Promise<void> {
  const result = await runCommand('docker', args);
  if (result.code !== 0) throw new Error(`docker ${args.join(' ')}: ${result.stderr}`);
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
  const adminUrl = container.getConnectionUri();
  return {
    adminUrl,
    // The container, its data and its port stay; only the server stops (testcontainers' stop removes it).
    stop: () => docker(['stop', container.getId()]),
    async start() {
      await docker(['start', container.getId()]);
      await waitUntil(() => sqlSelectOne(adminUrl), {
        within: 60_000,
        description: 'PostgreSQL accepting sessions again',
      });
    },
    async dispose() {
      await container.stop();
    },
  };
}
