// The run's components from the configuration: any names, each of a kind (the broker, the database, a
// service) and a source (container, process, URL), over the profile's defaults when the pipeline is the
// reference stack's. Everything a start would trip over is found here, before anything starts.
import { resolve } from 'node:path';
import { ConfigurationError } from '../errors.ts';
import {
  infrastructureContainer,
  profileDefaults,
  type ResolvedComponent,
  referenceShapeOf,
} from './defaults.ts';
import {
  type ComponentConfig,
  type ComponentName,
  type ConfigFile,
  type ProfileName,
  referenceComponentNames,
} from './schema.ts';
import { templateNamesOf, unknownNames } from './templates.ts';

/** What a component given without a base of the same source lacks. */
const missingPart = {
  process: 'a "command" (only the reference services have one by default)',
  container: 'an "image" or a "build" (only a broker, a database and the reference services have a default)',
} as const;

/** Names that say their kind: a component so named is of that kind unless it says otherwise. */
const kindsByName: ReadonlySet<string> = new Set(['rabbitmq', 'postgres', 'postgres-replica']);

/** A component's kind: as given, else as its base had it, else by its name (rabbitmq, postgres, postgres-replica). */
function kindOf(name: ComponentName, base: ResolvedComponent | undefined, override: ComponentConfig) {
  if (override.kind) return override.kind;
  if (base) return base.kind;
  return kindsByName.has(name) ? (name as 'rabbitmq' | 'postgres' | 'postgres-replica') : 'service';
}

function resolveContainer(
  name: ComponentName,
  base: ResolvedComponent | undefined,
  override: Extract<ComponentConfig, { source: 'container' }>,
  cwd: string,
  shared: Pick<ResolvedComponent, 'kind' | 'dependsOn' | 'readyTimeoutMs'>,
): ResolvedComponent | undefined {
  const shape = referenceShapeOf(name);
  const fromBase = base?.source === 'container' ? base : undefined;
  const shaped = {
    ...shared,
    port: override.port ?? fromBase?.port ?? shape?.port,
    ready: override.ready ?? fromBase?.ready ?? shape?.ready,
  };
  // Another image keeps the wiring its slot had (the variables a service of that name reads).
  const wiring = base && base.source !== 'url' ? base.env : (shape?.env ?? {});
  const env = { ...wiring, ...override.env };
  if (override.build) {
    const build = { context: resolve(cwd, override.build.context), dockerfile: override.build.dockerfile };
    const image = override.image ?? `mes-e2e/${name}:local`;
    return { name, source: 'container', image, build, env, ...shaped };
  }
  if (override.image) return { name, source: 'container', image: override.image, env, ...shaped };
  if (fromBase) return { ...fromBase, env: { ...fromBase.env, ...override.env }, ...shaped };
  if (shared.kind !== 'service') return { ...infrastructureContainer(shared.kind, name), ...shared };
  return undefined;
}

function resolveComponent(
  name: ComponentName,
  base: ResolvedComponent | undefined,
  override: ComponentConfig | undefined,
  cwd: string,
): ResolvedComponent | undefined {
  if (!override) return base;
  const shared = {
    kind: kindOf(name, base, override),
    dependsOn: override.dependsOn ?? base?.dependsOn ?? [],
    readyTimeoutMs: override.readyTimeoutMs ?? base?.readyTimeoutMs,
  };
  switch (override.source) {
    case 'container':
      return resolveContainer(name, base, override, cwd, shared);
    case 'process':
      if (!override.command) {
        if (base?.source !== 'process') return undefined;
        return { ...base, ...shared, env: { ...base.env, ...override.env } };
      }
      return {
        name,
        source: 'process',
        ...shared,
        command: override.command,
        cwd: resolve(cwd, override.cwd ?? '.'),
        env: override.env ?? {},
        readyUrl: override.readyUrl,
      };
    case 'url':
      return { name, source: 'url', ...shared, url: override.url, managementUrl: override.managementUrl };
  }
}

/** MES_E2E_IMAGE_<NAME>: another image for a container component (a pipeline's build under test). */
const imageVariable = (name: ComponentName) => `MES_E2E_IMAGE_${name.toUpperCase().replaceAll('-', '_')}`;

/** The components the configuration names itself, for this profile. */
const givenNamesOf = (config: ConfigFile, profile: ProfileName): ComponentName[] => [
  ...Object.keys(config.components ?? {}),
  ...Object.keys(config.profiles?.[profile]?.components ?? {}),
];

/**
 * The components in the order they are written: the reference stack's first (with what the profile
 * adds, such as the containers profile's replica), then what the configuration adds.
 */
function namesOf(
  config: ConfigFile,
  profile: ProfileName,
  defaults: Partial<Record<ComponentName, ResolvedComponent>>,
): ComponentName[] {
  const reference =
    config.journey !== undefined ? [] : [...Object.keys(defaults), ...referenceComponentNames];
  return [...new Set([...reference, ...givenNamesOf(config, profile)])];
}

function unresolvable(config: ConfigFile, profile: ProfileName, name: ComponentName): string {
  const given = config.profiles?.[profile]?.components?.[name]?.source ?? config.components?.[name]?.source;
  if (profile === 'staging' && !given)
    return `components.${name}: profile staging has no defaults; give it as { "source": "url", "url": "..." }`;
  return `components.${name}: "source": "${given}" needs ${missingPart[given === 'process' ? 'process' : 'container']}`;
}

/** One broker, at most one database, each from a source the harness can run them as. */
function kindProblems(components: readonly ResolvedComponent[]): string[] {
  const problems: string[] = [];
  const ofKind = (kind: string) => components.filter((c) => c.kind === kind).map((c) => c.name);
  const brokers = ofKind('rabbitmq');
  if (brokers.length !== 1)
    problems.push(
      brokers.length === 0
        ? 'components: no message broker; give one component "kind": "rabbitmq" (a container, or a url)'
        : `components: ${brokers.join(', ')} are all of kind rabbitmq; a run has one broker`,
    );
  const databases = ofKind('postgres');
  if (databases.length > 1)
    problems.push(
      `components: ${databases.join(', ')} are all of kind postgres; a run has at most one database`,
    );
  problems.push(...replicaProblems(components));
  for (const component of components)
    if (
      component.kind === 'service' &&
      component.source === 'container' &&
      (!component.port || !component.ready)
    )
      problems.push(
        `components.${component.name}: a service container needs its "port" (where it serves inside the container) and its "ready" check ({ "http": "/health" }, { "tcp": true }, { "log": "..." } or { "command": "..." })`,
      );
  for (const component of components)
    if (component.kind !== 'service' && component.source === 'process')
      problems.push(
        `components.${component.name}: a ${component.kind} runs as a container or is given by url, not as a process`,
      );
  return problems;
}

/**
 * At most one read replica, of the run's one database. A replica container is made from that database
 * (pg_basebackup over the run's network), so the database must be a container of the run too; a
 * database given by URL has its replica given by URL, if it has one.
 */
function replicaProblems(components: readonly ResolvedComponent[]): string[] {
  const replicas = components.filter((c) => c.kind === 'postgres-replica');
  const database = components.find((c) => c.kind === 'postgres');
  const [replica] = replicas;
  if (!replica) return [];
  if (replicas.length > 1)
    return [
      `components: ${replicas.map((c) => c.name).join(', ')} are all of kind postgres-replica; a run's database has at most one read replica`,
    ];
  if (!database)
    return [
      `components.${replica.name}: a read replica needs the run's database (a component of kind postgres) to stream from; there is none`,
    ];
  if (replica.source === 'container' && database.source !== 'container')
    return [
      `components.${replica.name}: a replica container streams from the run's own database container, but ${database.name} is given as a ${database.source}; give ${replica.name} as { "source": "url", "url": "..." } (a hot standby of ${database.name}) or run ${database.name} as a container`,
    ];
  return [];
}

/** Every name in dependsOn is a component, and no component waits, through others, for itself. */
function dependencyProblems(components: ReadonlyMap<ComponentName, ResolvedComponent>): string[] {
  const problems: string[] = [];
  for (const component of components.values())
    for (const [index, name] of component.dependsOn.entries())
      if (!components.has(name))
        problems.push(
          `components.${component.name}.dependsOn.${index}: no component "${name}"; there are: ${[...components.keys()].join(', ')}`,
        );
  const cycle = dependencyCycle(components);
  if (cycle) problems.push(`components: ${cycle.join(' -> ')} wait for each other in a circle (dependsOn)`);
  return problems;
}

function dependencyCycle(components: ReadonlyMap<ComponentName, ResolvedComponent>): string[] | undefined {
  const done = new Set<ComponentName>();
  const visit = (name: ComponentName, path: ComponentName[]): string[] | undefined => {
    if (path.includes(name)) return [...path.slice(path.indexOf(name)), name];
    if (done.has(name)) return undefined;
    for (const next of components.get(name)?.dependsOn ?? []) {
      const cycle = visit(next, [...path, name]);
      if (cycle) return cycle;
    }
    done.add(name);
    return undefined;
  };
  for (const name of components.keys()) {
    const cycle = visit(name, []);
    if (cycle) return cycle;
  }
  return undefined;
}

export interface ComponentSources {
  config: ConfigFile;
  /** The names of the configuration's secrets: what "{secret.<name>}" may name. */
  secretNames?: readonly string[];
  configFile: string | undefined;
  configDir: string;
  profile: ProfileName;
  env: Readonly<Record<string, string | undefined>>;
}

/** The plan's components by name, or a ConfigurationError listing every problem found. */
export function resolveComponents(sources: ComponentSources): Record<ComponentName, ResolvedComponent> {
  const { config, profile, configDir, env } = sources;
  // A configuration with its own journey describes its own pipeline: none of the reference stack's parts.
  const ownPipeline = config.journey !== undefined;
  const defaults = ownPipeline ? {} : profileDefaults(profile, env);
  const problems: string[] = [];
  const components = new Map<ComponentName, ResolvedComponent>();
  for (const name of namesOf(config, profile, defaults)) {
    let component = resolveComponent(name, defaults[name], config.components?.[name], configDir);
    component = resolveComponent(name, component, config.profiles?.[profile]?.components?.[name], configDir);
    const image = env[imageVariable(name)];
    if (image && component?.source === 'container') component = { ...component, image, build: undefined };
    if (component) components.set(name, component);
    else problems.push(unresolvable(config, profile, name));
  }
  dropDefaultReplicaOfForeignDatabase(components, new Set(givenNamesOf(config, profile)));
  // A component that could not be resolved would show again as a missing broker or dependency.
  if (problems.length === 0)
    problems.push(...kindProblems([...components.values()]), ...dependencyProblems(components));
  const templateNames = templateNamesOf(components.values(), sources.secretNames);
  for (const component of components.values())
    if (component.source !== 'url')
      problems.push(...unknownNames(component.env, `components.${component.name}.env`, templateNames));
  if (problems.length > 0) throw new ConfigurationError(sources.configFile, problems);
  return Object.fromEntries(components);
}

/**
 * The containers profile's replica is made from the run's database container: a configuration that
 * gives the database by URL and says nothing of the replica gets none (MES then reads from the
 * database), rather than an error for a part it never asked for.
 */
function dropDefaultReplicaOfForeignDatabase(
  components: Map<ComponentName, ResolvedComponent>,
  given: ReadonlySet<ComponentName>,
): void {
  const database = [...components.values()].find((c) => c.kind === 'postgres');
  for (const component of [...components.values()])
    if (
      component.kind === 'postgres-replica' &&
      !given.has(component.name) &&
      component.source === 'container' &&
      database?.source !== 'container'
    )
      components.delete(component.name);
}

type Components = Readonly<Record<ComponentName, ResolvedComponent>>;

/** The run's message broker: there is exactly one (the plan was refused otherwise). */
export function brokerOf(components: Components): ResolvedComponent {
  const broker = Object.values(components).find((component) => component.kind === 'rabbitmq');
  if (!broker) throw new Error('the plan has no component of kind rabbitmq');
  return broker;
}

/** The run's database, when the pipeline has one. */
export const databaseOf = (components: Components): ResolvedComponent | undefined =>
  Object.values(components).find((component) => component.kind === 'postgres');

/** The run database's read replica, when it has one. */
export const replicaOf = (components: Components): ResolvedComponent | undefined =>
  Object.values(components).find((component) => component.kind === 'postgres-replica');

/** The pipeline's services (neither the broker nor the database), in the order they were given. */
export const servicesOf = (components: Components): ResolvedComponent[] =>
  Object.values(components).filter((component) => component.kind === 'service');
