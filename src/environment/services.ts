// The services of a run (the reference stack's CRM, MES and pricing, or a team's own, by any name),
// each from its source: a container on the run's network (an image, or one built from a Dockerfile),
// a process of this machine, or a URL. Each starts once the components it depends on are ready.
import { GenericContainer, Wait, type WaitStrategy } from 'testcontainers';
import { servicesOf } from '../config/components.ts';
import type { ProcessComponent, ResolvedComponent } from '../config/defaults.ts';
import { defaultImages } from '../config/images.ts';
import type { RunPlan } from '../config/load.ts';
import type { ComponentName, ReadyCheck } from '../config/schema.ts';
import { fillTemplates } from '../config/templates.ts';
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
import { inWords } from './in-words.ts';
import {
  type Broker,
  type Database,
  type Replica,
  type RunContext,
  startRunContainer,
} from './infrastructure.ts';
import { withPath } from './isolation.ts';
import { probedUntilReady, readinessPollMs, readyOrExplain } from './readiness.ts';
import { labelsAsEnv } from './run-id.ts';

/** A service's name, as the configuration gives it. */
export type ServiceName = ComponentName;

export interface ServiceContext extends RunContext {
  plan: RunPlan;
  broker: Broker;
  /** Undefined when the pipeline has no database. */
  database: Database | undefined;
  /** The database's read replica; undefined when it has none. */
  replica: Replica | undefined;
  /** The run's vhost and database on the broker and database. */
  isolatedAs: string;
  /** How each container is probed again after a restart, as its readiness check says. */
  readiness: Record<ServiceName, Readiness>;
  /** Per-service settings the harness decides (API keys and the like). */
  serviceEnv: Readonly<Record<ServiceName, Record<string, string>>>;
  /** Each component's readiness, by name: what a component that depends on it waits for. */
  ready: Map<ComponentName, Promise<void>>;
  /** Processes started so far, for removal and for the record. */
  processes: ProcessRecord[];
  /**
   * The broker and database up and the run isolated on them: the services start before that and
   * wait for it, and their own readiness deadline counts from then.
   */
  dependenciesReady: Promise<void>;
}

type Container = Extract<ResolvedComponent, { source: 'container' }>;

/** Where each service answers: from this machine, and from the run's network when it is a container there. */
interface ServiceAddress {
  host: string;
  hostPort: number;
  /** Its alias and port on the run's network; a process or a URL has none. */
  inNetwork?: { alias: string; port: number };
  /** Given by URL: the URL itself. */
  url?: string;
}

type Addresses = ReadonlyMap<ServiceName, ServiceAddress>;

function urlFrom(address: ServiceAddress, where: 'network' | 'host'): string {
  if (address.url) return address.url.replace(/\/$/, '');
  if (where === 'network' && address.inNetwork)
    return `http://${address.inNetwork.alias}:${address.inNetwork.port}`;
  return `http://${address.host}:${address.hostPort}`;
}

/** What a service's environment templates name, as seen from where it runs. */
function templateValues(
  context: ServiceContext,
  addresses: Addresses,
  where: 'network' | 'host',
  port: number,
): Record<string, string | undefined> {
  const { broker, database, replica, isolatedAs } = context;
  const fromNetwork = where === 'network';
  const amqp = (fromNetwork ? broker.inNetwork?.amqpUrl : undefined) ?? broker.amqpUrl;
  const management = (fromNetwork ? broker.inNetwork?.managementUrl : undefined) ?? broker.managementUrl;
  const values: Record<string, string | undefined> = {
    [`${broker.name}.amqpUrl`]: withPath(amqp, isolatedAs),
    [`${broker.name}.managementUrl`]: management,
    [`${broker.name}.vhost`]: isolatedAs,
    'run.id': context.runId,
    port: String(port),
    ...Object.fromEntries(
      Object.entries(context.plan.secrets).map(([name, value]) => [`secret.${name}`, value]),
    ),
  };
  if (database) {
    const databaseUrl = (fromNetwork ? database.inNetwork?.url : undefined) ?? database.url;
    values[`${database.name}.url`] = withPath(databaseUrl, isolatedAs);
    values[`${database.name}.database`] = isolatedAs;
    if (replica) {
      // The run's database reaches the replica by streaming: the same name there, read-only.
      const replicaUrl = withPath(
        (fromNetwork ? replica.inNetwork?.url : undefined) ?? replica.url,
        isolatedAs,
      );
      values[`${database.name}.replicaUrl`] = replicaUrl;
      values[`${replica.name}.url`] = replicaUrl;
    }
  }
  for (const [name, address] of addresses) values[`${name}.url`] = urlFrom(address, where);
  return values;
}

/** Builds the images of services given a Dockerfile; the caller starts it early, beside the broker and database. */
export async function buildImages(context: ServiceContext): Promise<void> {
  for (const component of servicesOf(context.plan.components)) {
    const { name } = component;
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
      strategy: afterDependencies(
        context,
        probedUntilReady(() => httpReady(url), `${name} (GET ${url})`),
      ),
      readiness: { probe: 'http-ready', url },
    };
  }
  // Docker accepts connections on a published port before the container listens: after a restart
  // only a connection from this machine can be checked, so tcp, log and command checks are weaker there.
  const afterRestart: Readiness = { probe: 'tcp-listening', port: host.port, host: host.host };
  if ('tcp' in ready)
    return {
      waitedFor: `port ${port} accepting connections in the container`,
      strategy: afterDependencies(context, Wait.forListeningPorts()),
      readiness: afterRestart,
    };
  if ('command' in ready)
    return {
      waitedFor: `command "${ready.command}" exiting 0 in the container`,
      // Run with /bin/sh -c in the container, again and again until it exits 0 or the deadline passes.
      strategy: afterDependencies(context, Wait.forSuccessfulCommand(ready.command)),
      readiness: afterRestart,
    };
  return {
    waitedFor: `log line "${ready.log}"`,
    strategy: afterDependencies(context, Wait.forLogMessage(ready.log)),
    readiness: afterRestart,
  };
}

async function startContainer(
  context: ServiceContext,
  addresses: Addresses,
  component: Container,
): Promise<string> {
  const { name } = component;
  const address = addresses.get(name);
  const containerPort = component.port;
  const ready = component.ready;
  if (!address || containerPort === undefined || ready === undefined)
    throw new MesE2eError(
      'usage',
      `components.${name}: a container needs its "port" and "ready" check`,
      'give them in the configuration',
    );
  const url = urlFrom(address, 'host');
  const host = { url, host: address.host, port: address.hostPort };
  const check = readinessAt(context, name, ready, containerPort, host);
  context.readiness[name] = check.readiness;
  await startRunContainer(
    context,
    name,
    check.waitedFor,
    new GenericContainer(component.image)
      .withEnvironment({
        ...fillTemplates(component.env, templateValues(context, addresses, 'network', containerPort)),
        ...context.serviceEnv[name],
      })
      // A fixed host port: a restart by a fault-injection handle keeps the endpoint valid.
      .withExposedPorts({ container: containerPort, host: address.hostPort })
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

async function startProcess(context: ServiceContext, addresses: Addresses, component: ProcessComponent) {
  const { name } = component;
  const port = addresses.get(name)?.hostPort ?? (await freePort());
  const spec = await processSpecOf(
    component,
    {
      ...fillTemplates(component.env, templateValues(context, addresses, 'host', port)),
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

/** Each service's address, chosen before any starts: a service's env may name another's URL. */
async function addressesOf(services: readonly ResolvedComponent[]): Promise<Addresses> {
  const host = services.some((service) => service.source === 'container') ? await dockerHost() : '127.0.0.1';
  const entries = await Promise.all(
    services.map(async (service): Promise<[ServiceName, ServiceAddress]> => {
      if (service.source === 'url') return [service.name, { host, hostPort: 0, url: service.url }];
      const hostPort = await freePort();
      if (service.source === 'process') return [service.name, { host: '127.0.0.1', hostPort }];
      const inNetwork = service.port === undefined ? undefined : { alias: service.name, port: service.port };
      return [service.name, { host, hostPort, inNetwork }];
    }),
  );
  return new Map(entries);
}

async function startService(
  context: ServiceContext,
  addresses: Addresses,
  component: ResolvedComponent,
): Promise<string> {
  // The components it depends on first (as a compose file's service_healthy): their readiness, not their start.
  await Promise.all(component.dependsOn.map((name) => context.ready.get(name)));
  // Begins after the images are built: by then the run may be being removed.
  context.checkpoint();
  if (component.source === 'container') return startContainer(context, addresses, component);
  if (component.source === 'process') return startProcess(context, addresses, component);
  return useUrl(context, component.name, component.url);
}

/**
 * Starts every service at once (their images already built; each after what it depends on), wired to
 * the broker and database even while those are still starting, and resolves to their URLs from this
 * machine once they are ready.
 */
export async function startServices(context: ServiceContext): Promise<Record<ServiceName, string>> {
  const services = servicesOf(context.plan.components);
  if (services.length === 0) return {};
  const names = services.map((service) => service.name);
  context.onProgress(
    `starting ${inWords(names)} (they wait for the broker, the database and what they depend on)`,
  );
  const addresses = await addressesOf(services);
  // Every service's readiness is known before any starts: one may depend on one given after it.
  const readiness = new Map(services.map((service) => [service.name, Promise.withResolvers<void>()]));
  for (const [name, { promise }] of readiness) {
    promise.catch(() => {});
    context.ready.set(name, promise);
  }
  const starts = new Map<ServiceName, Promise<string>>();
  for (const service of services) {
    const start = startService(context, addresses, service);
    start.then(
      () => readiness.get(service.name)?.resolve(),
      (error: unknown) => readiness.get(service.name)?.reject(error),
    );
    starts.set(service.name, start);
  }
  const urls = await Promise.all(services.map((service) => starts.get(service.name)));
  return Object.fromEntries(services.map((service, index) => [service.name, urls[index] ?? '']));
}
