// Brings a RunPlan up as running components, isolated from every other run (own network, vhost and
// database), and takes it down again, whatever happens half-way.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { brokerOf, databaseOf, replicaOf, servicesOf } from '../config/components.ts';
import type { RunPlan } from '../config/load.ts';
import type { ComponentName, ProfileName } from '../config/schema.ts';
import { dockerEngine } from '../drivers/docker-engine.ts';
import { type ApiKey, type Endpoints, secretsIn } from '../drivers/endpoints.ts';
import type { Readiness } from '../drivers/probes.ts';
import type { ProcessRecord } from '../drivers/processes.ts';
import { MesE2eError } from '../errors.ts';
import { createComponentLogs } from './component-logs.ts';
import { inWords } from './in-words.ts';
import { startBroker, startDatabase, startReplica } from './infrastructure.ts';
import { createDatabase, createVhost, withPath } from './isolation.ts';
import { labels, runLabels } from './run-id.ts';
import { buildImages, type ServiceContext, startServices } from './services.ts';
import { type Removed, removeRun, type SharedInfrastructure, sharedInfrastructure } from './teardown.ts';

export interface EnvironmentRecord {
  runId: string;
  profile: ProfileName;
  startedAt: string;
  logDir: string;
  endpoints: Endpoints;
  containers: Array<{ component: ComponentName; id: string }>;
  processes: ProcessRecord[];
  /** How each service container is probed after a restart (its readiness check); older records lack it. */
  readiness?: Readonly<Record<ComponentName, Readiness>>;
  /** The broker and database shared with other runs, where the run's vhost and database live. */
  shared: SharedInfrastructure;
}

export interface StartedEnvironment extends AsyncDisposable {
  record: EnvironmentRecord;
  down(): Promise<Removed>;
}

export interface StartOptions {
  runId: string;
  /** env up: the record file that will say this environment is in use after the command exits. */
  recordFile?: string;
  onProgress: (message: string) => void;
  signal?: AbortSignal;
  /**
   * Registers the forced removal (second interrupt, crash): it waits only for what is being created
   * right now, then removes everything. Once the environment is returned, the caller owns it.
   */
  onForce?: (action: () => Promise<void>) => void;
}

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

/** Takes a recorded environment down: env down, and the end of a run. */
export function removeEnvironment(record: EnvironmentRecord): Promise<Removed> {
  return removeRun(record.runId, {
    shared: record.shared,
    knownPids: record.processes.map((p) => p.pid),
    expectContainers: record.containers.length > 0,
    logFiles: record.processes.map((p) => p.logFile),
    secrets: secretsIn(record.endpoints),
  });
}

function generatedApiKeys(): ApiKey[] {
  const key = (prefix: string) => `${prefix}-${randomBytes(12).toString('hex')}`;
  return [
    { name: 'b2c-web', key: key('b2c'), segment: 'b2c', requestsPerWindow: 100_000 },
    { name: 'b2b-portal', key: key('b2b'), segment: 'b2b', requestsPerWindow: 100_000 },
    { name: 'partner-acme', key: key('partner'), segment: 'b2b', requestsPerWindow: 5 },
    { name: 'partner-globex', key: key('partner'), segment: 'b2b', requestsPerWindow: 5 },
  ];
}

/** The broker's user: the one the services connect as, so the one the run's vhost is opened to. */
const amqpUser = (amqpUrl: string) => decodeURIComponent(new URL(amqpUrl).username) || 'guest';

export async function startEnvironment(plan: RunPlan, options: StartOptions): Promise<StartedEnvironment> {
  const { runId, onProgress, signal } = options;
  const logDir = join(plan.reportsDir, runId, 'logs');
  const password = randomBytes(12).toString('hex');
  const apiKeys = generatedApiKeys();
  const shared = sharedInfrastructure(plan);
  const baseLabels = runLabels(runId, options.recordFile);
  const needsDocker = Object.values(plan.components).some((component) => component.source === 'container');
  const broker = brokerOf(plan.components);
  const database = databaseOf(plan.components);
  const replica = database && replicaOf(plan.components);
  const services = servicesOf(plan.components);
  const creating = new Set<Promise<unknown>>();
  let handedOver = false;
  /** Set once a forced removal began: nothing new may be created after that. */
  let forced = false;
  const context: ServiceContext = {
    runId,
    plan,
    logs: createComponentLogs(logDir, [
      password,
      ...apiKeys.map((k) => k.key),
      ...Object.values(plan.secrets),
    ]),
    onProgress,
    labelsOf: (component) => ({ ...baseLabels, [labels.component]: component }),
    timeoutOf: (name) => plan.components[name]?.readyTimeoutMs ?? plan.readyTimeoutMs,
    network: needsDocker ? runId : undefined,
    password,
    containers: [],
    processes: [],
    readiness: {},
    // A short rate-limit window: a scenario that uses up a partner's allowance can run again soon.
    serviceEnv: {
      crm: { CRM_API_KEYS: JSON.stringify(apiKeys), CRM_RATE_LIMIT_WINDOW_MS: '10000' },
    },
    isolatedAs: runId,
    dependenciesReady: Promise.resolve(),
    broker: { name: broker.name, amqpUrl: '', managementUrl: undefined, shared: false },
    database: undefined,
    replica: undefined,
    ready: new Map(),
    checkpoint: () => {
      if (signal?.aborted || forced) throw new InterruptedError();
    },
    track: (creation) => {
      creating.add(creation);
      const forget = () => creating.delete(creation);
      creation.then(forget, forget);
      return creation;
    },
  };
  const down = () =>
    removeRun(runId, {
      shared,
      knownPids: context.processes.map((p) => p.pid),
      expectContainers: needsDocker,
      logFiles: context.processes.map((p) => p.logFile),
      secrets: [password, ...apiKeys.map((k) => k.key), ...Object.values(plan.secrets)],
    });
  options.onForce?.(async () => {
    if (handedOver) return;
    forced = true;
    await Promise.allSettled([...creating]);
    await down();
  });

  try {
    if (needsDocker) {
      const docker = await dockerEngine();
      await context.track(
        docker.createNetwork({ Name: runId, Labels: context.labelsOf('network'), CheckDuplicate: true }),
      );
    }
    context.checkpoint();
    onProgress(describeInfrastructure(plan));
    // Everything starts at once: the images build while the broker and database boot, the services
    // start as soon as their images are there (their endpoints are known before the broker and
    // database are up) and wait for them, and the run's vhost and database are created as soon as
    // each of those answers. The environment is ready shortly after its slowest component.
    const images = buildImages(context);
    images.catch(() => {});
    const [brokerStart, databaseStart] = await Promise.all([
      startBroker(context, broker),
      database && startDatabase(context, database, { replicated: replica?.source === 'container' }),
    ]);
    // The replica starts from the database once that is ready; the services do not wait for it.
    const replicaStart = replica && databaseStart && (await startReplica(context, replica, databaseStart));
    context.broker = brokerStart.endpoints;
    context.database = databaseStart?.endpoints;
    context.replica = replicaStart?.endpoints;
    context.ready.set(broker.name, brokerStart.ready);
    if (database && databaseStart) context.ready.set(database.name, databaseStart.ready);
    if (replica && replicaStart) context.ready.set(replica.name, replicaStart.ready);
    const oursToRun = services.some((service) => service.source !== 'url');
    const isolated = oursToRun
      ? isolate(context, brokerStart.ready, databaseStart?.ready)
      : Promise.resolve();
    context.dependenciesReady = Promise.all([brokerStart.ready, databaseStart?.ready, isolated]).then(
      () => {},
    );
    context.dependenciesReady.catch(() => {});
    const started = images.then(() => startServices(context));
    started.catch(() => {});
    // Awaited in the order of cause: a service that never got ready because the broker did not is
    // reported as the broker's failure.
    await brokerStart.ready;
    await databaseStart?.ready;
    await isolated;
    await images;
    const urls = await started;
    await replicaStart?.ready;
    context.checkpoint();
    const record: EnvironmentRecord = {
      runId,
      profile: plan.profile,
      startedAt: new Date().toISOString(),
      logDir,
      endpoints: {
        runId,
        profile: plan.profile,
        rabbitmq: {
          name: broker.name,
          amqpUrl: oursToRun ? withPath(context.broker.amqpUrl, runId) : context.broker.amqpUrl,
          managementUrl: context.broker.managementUrl,
          vhost: oursToRun ? runId : pathOf(context.broker.amqpUrl) || '/',
          ownedByRun: !context.broker.shared || oursToRun,
        },
        postgres: context.database && {
          name: context.database.name,
          databaseUrl: oursToRun ? withPath(context.database.url, runId) : context.database.url,
          database: oursToRun ? runId : pathOf(context.database.url),
        },
        ...(context.replica && {
          replica: {
            name: context.replica.name,
            databaseUrl: oursToRun ? withPath(context.replica.url, runId) : context.replica.url,
          },
        }),
        services: Object.fromEntries(Object.entries(urls).map(([name, url]) => [name, { url }])),
        secrets: plan.secrets,
        apiKeys:
          plan.components.crm?.kind === 'service' && plan.components.crm.source !== 'url' ? apiKeys : [],
      },
      containers: context.containers,
      processes: context.processes,
      readiness: context.readiness,
      shared,
    };
    handedOver = true;
    return { record, down, [Symbol.asyncDispose]: async () => void (await down()) };
  } catch (error) {
    onProgress('removing what was started');
    await down().catch(() => {});
    throw error;
  }
}

/** The database or vhost name in a URL's path. */
const pathOf = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));

function describeInfrastructure(plan: RunPlan): string {
  const parts = [brokerOf(plan.components), databaseOf(plan.components), replicaOf(plan.components)].flatMap(
    (c) => (c ? [c] : []),
  );
  if (parts.every((part) => part.source === 'container'))
    return `starting ${inWords(parts.map((part) => part.name))}`;
  return `bringing up ${inWords(parts.map((part) => `${part.name} (${part.source})`))}`;
}

/**
 * The run's own vhost and database, labelled with the run, each created as soon as its broker or
 * database answers; the services, started already, wait for them.
 */
async function isolate(
  context: ServiceContext,
  brokerReady: Promise<void>,
  databaseReady: Promise<void> | undefined,
): Promise<void> {
  const { broker, database, runId } = context;
  if (!broker.managementUrl) {
    throw new MesE2eError(
      'usage',
      `components.${broker.name}.managementUrl is not set: the run needs it to create its own vhost on a shared broker`,
      'give the management API URL with user and password (MES_E2E_RABBITMQ_MANAGEMENT_URL for the local profile)',
    );
  }
  context.onProgress(`isolating the run: vhost${database ? ' and database' : ''} ${runId}`);
  const runLabels = context.labelsOf('isolation');
  const { managementUrl } = broker;
  // Each begins later, when its dependency answers: by then the run may be being removed.
  const create = (creation: () => Promise<void>) => () => {
    context.checkpoint();
    return context.track(creation());
  };
  await Promise.all([
    brokerReady.then(create(() => createVhost(managementUrl, runId, amqpUser(broker.amqpUrl), runLabels))),
    database && databaseReady?.then(create(() => createDatabase(database.url, runId, runLabels))),
  ]);
}
