// Brings a RunPlan up as running components on a per-run network, isolated by vhost and database,
// and takes it down again: every container and network carries the run's label, so removal by label
// is complete even for what failed half-way.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { RabbitMQContainer } from '@testcontainers/rabbitmq';
import { GenericContainer, getContainerRuntimeClient, type StartedTestContainer, Wait } from 'testcontainers';
import { defaultImages } from '../config/images.ts';
import type { RunPlan } from '../config/load.ts';
import type { ComponentName, ProfileName } from '../config/schema.ts';
import { MesE2eError } from '../errors.ts';
import { eventually } from '../wait/eventually.ts';
import { type ComponentLogs, createComponentLogs } from './component-logs.ts';
import { createDatabase, createVhost, withPath } from './isolation.ts';
import { labels } from './run-id.ts';

export interface ApiKey {
  name: string;
  key: string;
  segment: 'b2c' | 'b2b';
  requestsPerWindow?: number;
}

export interface Endpoints {
  runId: string;
  profile: ProfileName;
  rabbitmq: { amqpUrl: string; managementUrl: string; vhost: string };
  postgres: { databaseUrl: string; database: string };
  crm: { url: string; apiKeys: ApiKey[] };
  mes: { url: string };
  pricing: { url: string };
}

export interface EnvironmentRecord {
  runId: string;
  profile: ProfileName;
  startedAt: string;
  logDir: string;
  endpoints: Endpoints;
  containers: Array<{ component: ComponentName; id: string }>;
}

export interface StartedEnvironment extends AsyncDisposable {
  record: EnvironmentRecord;
  down(): Promise<void>;
}

export interface StartOptions {
  runId: string;
  /** env up: the record file that will say this environment is in use after the command exits. */
  recordFile?: string;
  onProgress: (message: string) => void;
  signal?: AbortSignal;
}

const servicePorts = { crm: 3000, mes: 3001, pricing: 3002 } as const;
type ServiceName = keyof typeof servicePorts;
const services: readonly ServiceName[] = ['crm', 'mes', 'pricing'];

export class InterruptedError extends MesE2eError {
  constructor() {
    super(
      'environment',
      'interrupted: everything started so far was removed',
      'run the command again when ready',
    );
    this.name = 'InterruptedError';
  }
}

/** The Docker engine, or an environment failure that says how to get one. */
export async function dockerEngine() {
  try {
    return (await getContainerRuntimeClient()).container.dockerode;
  } catch (error) {
    throw new MesE2eError(
      'environment',
      `no Docker engine answers (${(error as Error).message})`,
      'start Docker (or point DOCKER_HOST at one); mes-e2e doctor checks the whole machine',
      { cause: error },
    );
  }
}

/** Removes every container and the network labelled with the run id; returns what it removed. */
export async function removeByRunId(runId: string): Promise<{ containers: string[]; networks: string[] }> {
  const docker = await dockerEngine();
  const filters = { label: [`${labels.runId}=${runId}`] };
  const containers = await docker.listContainers({ all: true, filters });
  await Promise.all(
    containers.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => {}),
    ),
  );
  const networks = await docker.listNetworks({ filters });
  await Promise.all(
    networks.map((n) =>
      docker
        .getNetwork(n.Id)
        .remove()
        .catch(() => {}),
    ),
  );
  return {
    containers: containers.map((c) => c.Labels[labels.component] ?? c.Id),
    networks: networks.map((n) => n.Name),
  };
}

/** This version runs the broker and database in containers, and services in containers or by URL. */
function ensureSupportedSources(plan: RunPlan): void {
  const other = Object.values(plan.components).filter(
    (c) => c.source === 'process' || (c.source === 'url' && (c.name === 'rabbitmq' || c.name === 'postgres')),
  );
  if (other.length > 0) {
    throw new MesE2eError(
      'usage',
      `environments with ${other.map((c) => `${c.name} from a ${c.source}`).join(', ')} are not supported yet: env up runs the broker and database in containers, and services in containers or by URL`,
      'use --profile containers (services may be given by image or URL)',
    );
  }
}

/** A service given by URL is someone else's: it is ready when it answers HTTP at all. */
async function waitForUrl(name: string, url: string, timeoutMs: number): Promise<void> {
  try {
    await eventually(
      async () => {
        const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
        await response.body?.cancel();
        return true;
      },
      { within: timeoutMs, description: `${name} at ${url}` },
    );
  } catch (error) {
    throw new MesE2eError(
      'environment',
      `${name} did not answer at ${url} within ${timeoutMs} ms: ${(error as Error).message}`,
      `start it, or fix components.${name}.url`,
      { cause: error },
    );
  }
}

async function readyOrExplain<T>(
  component: string,
  waitedFor: string,
  logs: ComponentLogs,
  timeoutMs: number,
  start: () => Promise<T>,
  onProgress: (message: string) => void,
): Promise<T> {
  const began = performance.now();
  try {
    const result = await start();
    // Each component's own time, so that the environment's total can be set against its slowest part.
    onProgress(`${component} ready in ${((performance.now() - began) / 1000).toFixed(1)} s (${waitedFor})`);
    return result;
  } catch (error) {
    throw new MesE2eError(
      'environment',
      `${component} did not get ready within ${timeoutMs} ms (waited for ${waitedFor}): ${(error as Error).message}\n--- last lines of ${component}'s log ---\n${logs.tail(component)}`,
      `see ${join(logs.dir, `${component}.log`)}; raise readyTimeoutMs in the configuration if the machine is just slow`,
      { cause: error },
    );
  }
}

export async function startEnvironment(plan: RunPlan, options: StartOptions): Promise<StartedEnvironment> {
  ensureSupportedSources(plan);
  const { runId, onProgress, signal } = options;
  const logDir = join(plan.reportsDir, runId, 'logs');
  const password = randomBytes(12).toString('hex');
  const apiKeys: ApiKey[] = [
    {
      name: 'b2c-web',
      key: `b2c-${randomBytes(12).toString('hex')}`,
      segment: 'b2c',
      requestsPerWindow: 100_000,
    },
    {
      name: 'b2b-portal',
      key: `b2b-${randomBytes(12).toString('hex')}`,
      segment: 'b2b',
      requestsPerWindow: 100_000,
    },
    {
      name: 'partner-acme',
      key: `partner-${randomBytes(12).toString('hex')}`,
      segment: 'b2b',
      requestsPerWindow: 5,
    },
    {
      name: 'partner-globex',
      key: `partner-${randomBytes(12).toString('hex')}`,
      segment: 'b2b',
      requestsPerWindow: 5,
    },
  ];
  const logs = createComponentLogs(logDir, [password, ...apiKeys.map((k) => k.key)]);
  const runLabels = (component: string) => ({
    [labels.runId]: runId,
    [labels.component]: component,
    [labels.createdAt]: new Date().toISOString(),
    [labels.owner]: `${hostname()}:${process.pid}`,
    ...(options.recordFile ? { [labels.record]: options.recordFile } : {}),
  });
  const timeoutOf = (name: ComponentName) => plan.components[name].readyTimeoutMs ?? plan.readyTimeoutMs;
  const checkpoint = () => {
    if (signal?.aborted) throw new InterruptedError();
  };
  const down = async () => {
    await removeByRunId(runId);
  };

  const docker = await dockerEngine();
  try {
    await docker.createNetwork({ Name: runId, Labels: runLabels('network'), CheckDuplicate: true });
    checkpoint();

    onProgress('starting rabbitmq and postgres');
    const images = plan.components;
    const imageOf = (name: ComponentName) => {
      const component = images[name];
      return component.source === 'container' ? component.image : '';
    };
    const [rabbitmq, postgres] = await Promise.all([
      readyOrExplain(
        'rabbitmq',
        'log line "Server startup complete"',
        logs,
        timeoutOf('rabbitmq'),
        () =>
          new RabbitMQContainer(imageOf('rabbitmq'))
            .withEnvironment({ RABBITMQ_DEFAULT_USER: 'mes', RABBITMQ_DEFAULT_PASS: password })
            .withNetworkMode(runId)
            .withNetworkAliases('rabbitmq')
            .withLabels(runLabels('rabbitmq'))
            .withLogConsumer(logs.consumer('rabbitmq'))
            .withStartupTimeout(timeoutOf('rabbitmq'))
            .start(),
        onProgress,
      ),
      readyOrExplain(
        'postgres',
        'pg_isready and the listening port',
        logs,
        timeoutOf('postgres'),
        () =>
          new PostgreSqlContainer(imageOf('postgres'))
            .withUsername('mes')
            .withPassword(password)
            .withDatabase('postgres')
            .withNetworkMode(runId)
            .withNetworkAliases('postgres')
            .withLabels(runLabels('postgres'))
            .withLogConsumer(logs.consumer('postgres'))
            .withStartupTimeout(timeoutOf('postgres'))
            .start(),
        onProgress,
      ),
    ]);
    checkpoint();

    const host = rabbitmq.getHost();
    const hostAmqp = `amqp://mes:${password}@${host}:${rabbitmq.getMappedPort(5672)}`;
    const hostManagement = `http://mes:${password}@${host}:${rabbitmq.getMappedPort(15672)}`;
    const adminDatabase = postgres.getConnectionUri();
    onProgress(`isolating the run: vhost and database ${runId}`);
    await Promise.all([createVhost(hostManagement, runId, 'mes'), createDatabase(adminDatabase, runId)]);
    checkpoint();

    const serviceEnv: Record<ServiceName, Record<string, string>> = {
      crm: { CRM_API_KEYS: JSON.stringify(apiKeys) },
      mes: { RABBITMQ_MANAGEMENT_URL: `http://mes:${password}@rabbitmq:15672`, RABBITMQ_VHOST: runId },
      pricing: {},
    };
    const started: Partial<Record<ServiceName, StartedTestContainer>> = {};
    for (const name of services) {
      const component = plan.components[name];
      if (component.source !== 'container' || !component.build) continue;
      await readyOrExplain(
        `${name} image`,
        `docker build of ${component.build.dockerfile}`,
        logs,
        timeoutOf(name),
        () =>
          GenericContainer.fromDockerfile(component.build?.context ?? '', component.build?.dockerfile)
            .withBuildArgs({ NODE_IMAGE: defaultImages.node })
            .build(component.image, { deleteOnExit: false }),
        onProgress,
      );
      checkpoint();
    }
    onProgress('starting crm, mes and pricing');
    await Promise.all(
      services.map(async (name) => {
        const component = plan.components[name];
        if (component.source === 'url') return waitForUrl(name, component.url, timeoutOf(name));
        if (component.source !== 'container') return;
        started[name] = await readyOrExplain(
          name,
          `GET /health/ready on port ${servicePorts[name]} answering 200`,
          logs,
          timeoutOf(name),
          () =>
            new GenericContainer(component.image)
              .withEnvironment({
                AMQP_URL: `amqp://mes:${password}@rabbitmq:5672/${runId}`,
                DATABASE_URL: `postgres://mes:${password}@postgres:5432/${runId}`,
                PORT: String(servicePorts[name]),
                ...serviceEnv[name],
                ...component.env,
              })
              .withNetworkMode(runId)
              .withNetworkAliases(name)
              .withExposedPorts(servicePorts[name])
              .withLabels(runLabels(name))
              .withLogConsumer(logs.consumer(name))
              .withWaitStrategy(Wait.forHttp('/health/ready', servicePorts[name]).forStatusCode(200))
              .withStartupTimeout(timeoutOf(name))
              .start(),
          onProgress,
        );
      }),
    );
    checkpoint();

    const urlOf = (name: ServiceName) => {
      const component = plan.components[name];
      if (component.source === 'url') return component.url.replace(/\/$/, '');
      const container = started[name];
      return container ? `http://${container.getHost()}:${container.getMappedPort(servicePorts[name])}` : '';
    };
    const record: EnvironmentRecord = {
      runId,
      profile: plan.profile,
      startedAt: new Date().toISOString(),
      logDir,
      endpoints: {
        runId,
        profile: plan.profile,
        rabbitmq: { amqpUrl: withPath(hostAmqp, runId), managementUrl: hostManagement, vhost: runId },
        postgres: { databaseUrl: withPath(adminDatabase, runId), database: runId },
        crm: { url: urlOf('crm'), apiKeys },
        mes: { url: urlOf('mes') },
        pricing: { url: urlOf('pricing') },
      },
      containers: [
        { component: 'rabbitmq', id: rabbitmq.getId() },
        { component: 'postgres', id: postgres.getId() },
        ...services.flatMap((name) =>
          started[name] ? [{ component: name, id: started[name].getId() }] : [],
        ),
      ],
    };
    return { record, down, [Symbol.asyncDispose]: down };
  } catch (error) {
    onProgress('removing what was started');
    await down().catch(() => {});
    throw error;
  }
}
