// The services of a run (CRM, MES, pricing), each from its source: a container on the run's network
// (the reference images built from services/*/Dockerfile), a process of this machine, or a URL.
import { GenericContainer, Wait, type WaitStrategy } from 'testcontainers';
import type { ProcessComponent, ResolvedComponent } from '../config/defaults.ts';
import { defaultImages } from '../config/images.ts';
import type { RunPlan } from '../config/load.ts';
import type { ReadyCheck } from '../config/schema.ts';
import { fillTemplates, type TemplateName } from '../config/templates.ts';
import { dockerHost } from '../drivers/docker-engine.ts';
import { freePort } from '../drivers/ports.ts';
import { httpAnswers, httpReady, type Readiness } from '../drivers/probes.ts';
import {
  type ProcessRecord,
  type ProcessSpec,
  processReady,
  readinessOf,
  spawnProcess,
} from '../drivers/processes.ts';
import { MesE2eError } from '../errors.ts';
import { waitUntil } from '../wait/wait-until.ts';
import { type Broker, type Database, type RunContext, startRunContainer } from './infrastructure.ts';
import { withPath } from './isolation.ts';
import { readyOrExplain } from './readiness.ts';
import { labelsAsEnv } from './run-id.ts';

export type ServiceName = 'crm' | 'mes' | 'pricing';
export const serviceNames: readonly ServiceName[] = ['crm', 'mes', 'pricing'];

/** Readiness is polled at most this far apart: the environment is ready soon after its last service. */
const readinessPollMs = 200;

export interface ServiceContext extends RunContext {
  plan: RunPlan;
  broker: Broker;
  database: Database;
  /** The run's vhost and database on the broker and database. */
  isolatedAs: string;
  /** How each container is probed again after a restart, as its readiness check says. */
  readiness: Partial<Record<ServiceName, Readiness>>;
  /** Per-service settings the harness decides (API keys and the like). */
  serviceEnv: Record<ServiceName, Record<string, string>>;
  /** Processes started so far, for removal and for the record. */
  processes: ProcessRecord[];
  /**
   * The broker and database up and the run isolated on them: the services start before that and
   * wait for it, and their own readiness deadline counts from then.
   */
  dependenciesReady: Promise<void>;
}

type Container = Extract<ResolvedComponent, { source: 'container' }>;

/** What a service's environment templates name, as seen from where it runs. */
function templateValues(
  context: ServiceContext,
  where: 'network' | 'host',
  port: number,
): Partial<Record<TemplateName, string>> {
  const { broker, database, isolatedAs } = context;
  const fromNetwork = where === 'network';
  const amqp = (fromNetwork ? broker.inNetwork?.amqpUrl : undefined) ?? broker.amqpUrl;
  const management = (fromNetwork ? broker.inNetwork?.managementUrl : undefined) ?? broker.managementUrl;
  const databaseUrl = (fromNetwork ? database.inNetwork?.url : undefined) ?? database.url;
  return {
    'rabbitmq.amqpUrl': withPath(amqp, isolatedAs),
    'rabbitmq.managementUrl': management,
    'rabbitmq.vhost': isolatedAs,
    'postgres.url': withPath(databaseUrl, isolatedAs),
    'postgres.database': isolatedAs,
    'run.id': context.runId,
    port: String(port),
  };
}

/** Builds the reference services' images; the caller starts it early, beside the broker and database. */
export async function buildImages(context: ServiceContext): Promise<void> {
  for (const name of serviceNames) {
    const component = context.plan.components[name];
    if (component.source !== 'container' || !component.build) continue;
    const { build } = component;
    await readyOrExplain(
      context,
      `${name} image`,
      `docker build of ${build.dockerfile}`,
      context.timeoutOf(name),
      () =>
        GenericContainer.fromDockerfile(build.context, build.dockerfile)
          .withBuildArgs({ NODE_IMAGE: defaultImages.node })
          .build(component.image, { deleteOnExit: false }),
    );
    context.checkpoint();
  }
}

/**
 * Readiness by the harness's own probe, polled with a short backoff (testcontainers' HTTP strategy
 * polls once a second), that gives up at once when the container exits. Its deadline counts from
 * the moment the broker, database, vhost and database of the run are there.
 */
function readyWhenHealthy(context: ServiceContext, name: ServiceName, readyUrl: string): WaitStrategy {
  let timeoutMs = 60_000;
  return {
    async waitUntilReady(container) {
      await context.dependenciesReady;
      const exited = new AbortController();
      let exitCode: number | undefined;
      await waitUntil(
        async () => {
          try {
            await httpReady(readyUrl);
          } catch (error) {
            const { State } = await container.inspect();
            if (!State.Running) {
              exitCode = State.ExitCode;
              exited.abort();
            }
            throw error;
          }
        },
        {
          within: timeoutMs,
          maxEvery: readinessPollMs,
          description: `${name} (GET ${readyUrl})`,
          stop: exited.signal,
          stopReason: () => `the container exited (code ${exitCode}) before it was ready`,
        },
      );
    },
    withStartupTimeout(startupTimeoutMs) {
      timeoutMs = startupTimeoutMs;
      return this;
    },
    isStartupTimeoutSet: () => true,
    getStartupTimeout: () => timeoutMs,
  };
}

/** Waits for the broker, database and isolation first: a readiness deadline counts from then. */
function afterDependencies(context: ServiceContext, strategy: WaitStrategy): WaitStrategy {
  return {
    async waitUntilReady(container, boundPorts, startTime) {
      await context.dependenciesReady;
      await strategy.waitUntilReady(container, boundPorts, startTime);
    },
    withStartupTimeout(startupTimeoutMs) {
      strategy.withStartupTimeout(startupTimeoutMs);
      return this;
    },
    isStartupTimeoutSet: () => strategy.isStartupTimeoutSet(),
    getStartupTimeout: () => strategy.getStartupTimeout(),
  };
}

/** How the container's readiness is waited for at start, and probed again after a restart. */
function readinessAt(
  context: ServiceContext,
  name: ServiceName,
  ready: ReadyCheck,
  port: number,
  host: { url: string; host: string; port: number },
): { waitedFor: string; strategy: WaitStrategy; readiness: Readiness } {
  if ('http' in ready) {
    const url = `${host.url}${ready.http}`;
    return {
      waitedFor: `GET ${ready.http} on port ${port} answering 2xx`,
      strategy: readyWhenHealthy(context, name, url),
      readiness: { probe: 'http-ready', url },
    };
  }
  // Docker accepts connections on a published port before the container listens: after a restart
  // only a connection from this machine can be checked, so tcp and log checks are weaker there.
  const afterRestart: Readiness = { probe: 'tcp-listening', port: host.port, host: host.host };
  if ('tcp' in ready)
    return {
      waitedFor: `port ${port} accepting connections in the container`,
      strategy: afterDependencies(context, Wait.forListeningPorts()),
      readiness: afterRestart,
    };
  return {
    waitedFor: `log line "${ready.log}"`,
    strategy: afterDependencies(context, Wait.forLogMessage(ready.log)),
    readiness: afterRestart,
  };
}

async function startContainer(context: ServiceContext, name: ServiceName, component: Container) {
  const containerPort = component.port;
  const ready = component.ready;
  if (containerPort === undefined || ready === undefined)
    throw new MesE2eError(
      'usage',
      `components.${name}: a container needs its "port" and "ready" check`,
      'give them in the configuration',
    );
  const [hostPort, host] = await Promise.all([freePort(), dockerHost()]);
  const url = `http://${host}:${hostPort}`;
  const check = readinessAt(context, name, ready, containerPort, { url, host, port: hostPort });
  context.readiness[name] = check.readiness;
  await startRunContainer(
    context,
    name,
    check.waitedFor,
    new GenericContainer(component.image)
      .withEnvironment({
        ...fillTemplates(component.env, templateValues(context, 'network', containerPort)),
        ...context.serviceEnv[name],
      })
      // A fixed host port: a restart by a fault-injection handle keeps the endpoint valid.
      .withExposedPorts({ container: containerPort, host: hostPort })
      .withWaitStrategy(check.strategy),
  );
  return url;
}

/**
 * A process component as the process source runs it: its command, on a free port of this machine,
 * with HOST and PORT set and then `env` (the run's wiring and settings), logging to `logFile`.
 */
export async function processSpecOf(
  component: ProcessComponent,
  env: Record<string, string>,
  logFile: string,
  port?: number,
): Promise<ProcessSpec> {
  port ??= await freePort();
  return {
    component: component.name,
    command: component.command,
    cwd: component.cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...env,
    },
    port,
    readyUrl: component.readyUrl?.replaceAll('{port}', String(port)),
    logFile,
  };
}

async function startProcess(context: ServiceContext, name: ServiceName, component: ProcessComponent) {
  const port = await freePort();
  const spec = await processSpecOf(
    component,
    {
      ...fillTemplates(component.env, templateValues(context, 'host', port)),
      ...context.serviceEnv[name],
      ...labelsAsEnv(context.labelsOf(name)),
    },
    context.logs.file(name),
    port,
  );
  context.checkpoint();
  const running = await context.track(spawnProcess(spec));
  context.processes.push(running.record);
  const timeoutMs = context.timeoutOf(name);
  await readyOrExplain(context, name, readinessOf(spec), timeoutMs, async () => {
    await context.dependenciesReady;
    await processReady(running, { within: timeoutMs, maxEvery: readinessPollMs });
  });
  return `http://127.0.0.1:${spec.port}`;
}

async function useUrl(context: ServiceContext, name: ServiceName, url: string) {
  const timeoutMs = context.timeoutOf(name);
  try {
    await waitUntil(() => httpAnswers(url), { within: timeoutMs, description: `${name} at ${url}` });
  } catch (error) {
    throw new MesE2eError(
      'environment',
      `${name} did not answer at ${url} within ${timeoutMs} ms: ${(error as Error).message}`,
      `start it, or fix components.${name}.url`,
      { cause: error },
    );
  }
  return url.replace(/\/$/, '');
}

function startService(context: ServiceContext, name: ServiceName): Promise<string> {
  // Begins after the images are built: by then the run may be being removed.
  context.checkpoint();
  const component = context.plan.components[name];
  if (component.source === 'container') return startContainer(context, name, component);
  if (component.source === 'process') return startProcess(context, name, component);
  return useUrl(context, name, component.url);
}

/**
 * Starts every service at once (their images already built), wired to the broker and database even
 * while those are still starting, and resolves to their URLs from this machine once they are ready.
 */
export async function startServices(context: ServiceContext): Promise<Record<ServiceName, string>> {
  context.onProgress('starting crm, mes and pricing (they wait for the broker and database)');
  const urls = await Promise.all(serviceNames.map((name) => startService(context, name)));
  return { crm: urls[0] ?? '', mes: urls[1] ?? '', pricing: urls[2] ?? '' };
}
