// The broker and the database of a run: containers on the run's network, or shared ones given by URL
// (then the run gets its own vhost and database on them, created by the caller).
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { RabbitMQContainer } from '@testcontainers/rabbitmq';
import { GenericContainer, type StartedTestContainer } from 'testcontainers';
import type { ResolvedComponent } from '../config/defaults.ts';
import type { ComponentName } from '../config/schema.ts';
import { dockerHost } from '../drivers/docker-engine.ts';
import { freePort } from '../drivers/ports.ts';
import { amqpHandshake, managementOverview, sqlSelectOne, sqlStandbyStreaming } from '../drivers/probes.ts';
import { MesE2eError } from '../errors.ts';
import { waitUntil } from '../wait/wait-until.ts';
import type { ComponentLogs } from './component-logs.ts';
import { exitCodeOf } from './docker.ts';
import { probedUntilReady, readyOrExplain } from './readiness.ts';
import type { RunLabels } from './run-id.ts';

export interface RunContext {
  runId: string;
  logs: ComponentLogs;
  onProgress(message: string): void;
  labelsOf(component: string): RunLabels;
  timeoutOf(component: ComponentName): number;
  /** The run's Docker network; undefined when nothing of the run is a container. */
  network: string | undefined;
  /** A password for what the run creates itself. */
  password: string;
  /** Containers started so far, for removal and for the record. */
  containers: Array<{ component: ComponentName; id: string }>;
  /** Throws once the run is interrupted: nothing new is started after that. */
  checkpoint(): void;
  /** Marks work that creates something (a process, a vhost): a forced removal waits for it first. */
  track<T>(creation: Promise<T>): Promise<T>;
}

/** URLs as seen from this machine, and from containers on the run's network when they differ. */
export interface Broker {
  /** Its component's name (its alias on the run's network). */
  name: string;
  amqpUrl: string;
  managementUrl: string | undefined;
  inNetwork?: { amqpUrl: string; managementUrl: string };
  /** Given by URL: other runs use it too. */
  shared: boolean;
}

export interface Database {
  /** Its component's name (its alias on the run's network). */
  name: string;
  url: string;
  inNetwork?: { url: string };
  shared: boolean;
}

/** The run database's read replica: a hot standby of it, read-only. */
export interface Replica {
  /** Its component's name (its alias on the run's network). */
  name: string;
  url: string;
  inNetwork?: { url: string };
  shared: boolean;
}

type Component = ResolvedComponent;

function unsupported(component: Component): never {
  throw new MesE2eError(
    'usage',
    `components.${component.name}: a ${component.source} source is not supported for ${component.name}`,
    `give ${component.name} as a container (an image) or as a url`,
  );
}

/**
 * A component whose endpoints are known before it is up: the services are wired to it and started
 * beside it, and wait for it themselves.
 */
export interface Starting<T> {
  endpoints: T;
  /** Resolves once it answers its readiness check; rejects with the explained failure. */
  ready: Promise<void>;
}

function starting<T>(endpoints: T, ready: Promise<void>): Starting<T> {
  // Awaited by the caller, maybe only after other starts: a fast failure is not an unhandled one.
  ready.catch(() => {});
  return { endpoints, ready };
}

/**
 * Starts a container of the run with what every one carries (the run's network and its name there,
 * labels, log, start deadline), explains a failure to get ready, and records it for removal.
 */
export async function startRunContainer(
  context: RunContext,
  name: ComponentName,
  waitedFor: string,
  container: GenericContainer,
): Promise<StartedTestContainer> {
  const timeoutMs = context.timeoutOf(name);
  const started = await readyOrExplain(context, name, waitedFor, timeoutMs, () =>
    container
      .withNetworkMode(context.network ?? 'bridge')
      .withNetworkAliases(name)
      .withLabels(context.labelsOf(name))
      .withLogConsumer(context.logs.consumer(name))
      .withStartupTimeout(timeoutMs)
      .start()
      .catch(async (error: unknown) => {
        // A container that exits at once fails testcontainers' own wait for its ports to be bound
        // ("Timed out ... to be bound to the host"), which hides the cause: say it exited.
        const exitCode = await exitCodeOf(context.runId, name).catch(() => undefined);
        if (exitCode === undefined) throw error;
        throw new Error(`the container exited (code ${exitCode}) before it was ready`, { cause: error });
      }),
  );
  context.containers.push({ component: name, id: started.getId() });
  return started;
}

/**
 * The management API's figures (queue depths, consumers) refresh every 5 s by default, so the
 * dashboard, the queue steps and the diagnosis would see the queues seconds late: a run's own broker
 * refreshes them every second.
 */
export const brokerStatisticsConfig = {
  content: 'collect_statistics_interval = 1000\n',
  target: '/etc/rabbitmq/conf.d/90-mes-e2e.conf',
};

export async function startBroker(context: RunContext, component: Component): Promise<Starting<Broker>> {
  const { name } = component;
  const timeoutMs = context.timeoutOf(name);
  if (component.source === 'url') {
    const { url, managementUrl } = component;
    const ready = readyOrExplain(context, name, `AMQP handshake at the given URL`, timeoutMs, () =>
      waitUntil(
        async () => {
          await amqpHandshake(url);
          if (managementUrl) await managementOverview(managementUrl);
        },
        { within: timeoutMs, description: `${name} (AMQP handshake and management API)` },
      ),
    );
    return starting({ name, amqpUrl: url, managementUrl, shared: true }, ready);
  }
  if (component.source !== 'container') unsupported(component);
  const [amqpPort, managementPort, host] = await Promise.all([freePort(), freePort(), dockerHost()]);
  const ready = startRunContainer(
    context,
    name,
    'log line "Server startup complete"',
    new RabbitMQContainer(component.image)
      .withEnvironment({ RABBITMQ_DEFAULT_USER: 'mes', RABBITMQ_DEFAULT_PASS: context.password })
      .withCopyContentToContainer([brokerStatisticsConfig])
      // Fixed host ports: the endpoints are known before the start, and a restart keeps them valid.
      .withExposedPorts({ container: 5672, host: amqpPort }, { container: 15672, host: managementPort }),
  ).then(() => undefined);
  return starting(
    {
      name,
      amqpUrl: `amqp://mes:${context.password}@${host}:${amqpPort}`,
      managementUrl: `http://mes:${context.password}@${host}:${managementPort}`,
      inNetwork: {
        amqpUrl: `amqp://mes:${context.password}@${name}:5672`,
        managementUrl: `http://mes:${context.password}@${name}:15672`,
      },
      shared: false,
    },
    ready,
  );
}

/** The role a replica streams as: replication rights only, nothing it could read or write. */
const replicationRole = 'replicator';
/** The slot that keeps the WAL a stopped replica has not yet received, so that it catches up when started again. */
const replicationSlot = 'mes_e2e_replica';

/**
 * Run once when the database container initialises (the image's /docker-entrypoint-initdb.d): a
 * replication role and the pg_hba line that lets it stream from anywhere on the run's network. The
 * image's own line ("host all all all") does not cover replication connections.
 */
const replicationInit = (password: string) => ({
  content: `#!/bin/sh
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres --no-psqlrc \
  -c "create role ${replicationRole} with replication login password '${password}'"
printf '\nhost replication ${replicationRole} all scram-sha-256\n' >> "$PGDATA/pg_hba.conf"
`,
  target: '/docker-entrypoint-initdb.d/50-mes-e2e-replication.sh',
  mode: 0o755,
});

export async function startDatabase(
  context: RunContext,
  component: Component,
  options: { replicated?: boolean } = {},
): Promise<Starting<Database>> {
  const { name } = component;
  const timeoutMs = context.timeoutOf(name);
  if (component.source === 'url') {
    const { url } = component;
    const ready = readyOrExplain(context, name, 'SQL select 1 at the given URL', timeoutMs, () =>
      waitUntil(() => sqlSelectOne(url), { within: timeoutMs, description: `${name} (select 1)` }),
    );
    return starting({ name, url, shared: true }, ready);
  }
  if (component.source !== 'container') unsupported(component);
  const [port, host] = await Promise.all([freePort(), dockerHost()]);
  const container = new PostgreSqlContainer(component.image)
    .withUsername('mes')
    .withPassword(context.password)
    .withDatabase('postgres')
    .withExposedPorts({ container: 5432, host: port });
  if (options.replicated)
    container
      .withCopyContentToContainer([replicationInit(context.password)])
      // PostgreSQL 17's defaults already stream (wal_level replica, 10 WAL senders): said here so that
      // an image with other defaults cannot quietly break the replica.
      .withCommand([
        'postgres',
        '-c',
        'wal_level=replica',
        '-c',
        'max_wal_senders=4',
        '-c',
        'max_replication_slots=4',
      ]);
  const ready = startRunContainer(context, name, 'pg_isready and the listening port', container).then(
    () => undefined,
  );
  return starting(
    {
      name,
      url: `postgres://mes:${context.password}@${host}:${port}/postgres`,
      inNetwork: { url: `postgres://mes:${context.password}@${name}:5432/postgres` },
      shared: false,
    },
    ready,
  );
}

/**
 * How the replica container comes to be, as the postgres user: the first start copies the running
 * database (pg_basebackup over the run's network, through a slot of its own, with the recovery
 * settings written: -R), and every start, the first and one after a fault scenario stopped it, runs
 * PostgreSQL as a hot standby of that copy. PGDATA is a folder of its own under the image's volume,
 * which the postgres user may not own. After its primary restarts (a @breaks-postgres scenario) it
 * tries to stream again every second instead of every five.
 */
const replicaScript = (primary: string) => `set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA"
  chmod 700 "$PGDATA"
  pg_basebackup --host=${primary} --port=5432 --username=${replicationRole} --no-password \
    --pgdata="$PGDATA" --write-recovery-conf --wal-method=stream --checkpoint=fast \
    --create-slot --slot=${replicationSlot}
fi
exec postgres -c hot_standby=on -c wal_retrieve_retry_interval=1s
`;

/**
 * The database's read replica: a container streaming from the run's database container (started once
 * that is ready), or one given by URL (a hot standby of the database given by URL). Its endpoints are
 * known at once; the services do not wait for it (MES reads from the database until it streams).
 */
export async function startReplica(
  context: RunContext,
  component: Component,
  database: Starting<Database>,
): Promise<Starting<Replica>> {
  const { name } = component;
  const timeoutMs = context.timeoutOf(name);
  if (component.source === 'url') {
    const { url } = component;
    const ready = readyOrExplain(context, name, 'a hot standby streaming, at the given URL', timeoutMs, () =>
      waitUntil(() => sqlStandbyStreaming(url), { within: timeoutMs, description: `${name} (streaming)` }),
    );
    return starting({ name, url, shared: true }, ready);
  }
  if (component.source !== 'container') unsupported(component);
  const [port, host] = await Promise.all([freePort(), dockerHost()]);
  const url = `postgres://mes:${context.password}@${host}:${port}/postgres`;
  const ready = database.ready.then(() => {
    context.checkpoint();
    return startRunContainer(
      context,
      name,
      `a hot standby of ${database.endpoints.name}, streaming`,
      new GenericContainer(component.image)
        .withUser('postgres')
        .withEnvironment({ PGDATA: '/var/lib/postgresql/data/replica', PGPASSWORD: context.password })
        .withEntrypoint(['bash', '-c', replicaScript(database.endpoints.name)])
        .withExposedPorts({ container: 5432, host: port })
        .withWaitStrategy(probedUntilReady(() => sqlStandbyStreaming(url), `${name} (streaming)`)),
    ).then(() => undefined);
  });
  return starting(
    {
      name,
      url,
      inNetwork: { url: `postgres://mes:${context.password}@${name}:5432/postgres` },
      shared: false,
    },
    ready,
  );
}
