// What each profile starts from when the configuration says nothing: the reference stack of services/.
import { join } from 'node:path';
import { packageRoot } from '../package-root.ts';
import { defaultImages } from './images.ts';
import type { ComponentKind, ComponentName, ProfileName, ReadyCheck } from './schema.ts';

/** services/ of this package: the reference stack's sources and Dockerfiles. */
export const servicesDir = `${join(packageRoot, 'services')}/`;

export type ResolvedComponent = {
  name: ComponentName;
  kind: ComponentKind;
  /** Components that are ready before this one's own readiness deadline counts. */
  dependsOn: readonly ComponentName[];
  readyTimeoutMs?: number | undefined;
} & (
  | {
      source: 'container';
      image: string;
      /** Set when the image is built from a Dockerfile rather than taken as it is. */
      build?: { context: string; dockerfile: string };
      /** Values may be templates (src/config/templates.ts), filled in at start. */
      env: Readonly<Record<string, string>>;
      /** A service's port inside the container, and how it shows it is ready (the broker and database know their own). */
      port?: number;
      ready?: ReadyCheck;
    }
  | {
      source: 'process';
      command: readonly string[];
      cwd: string;
      env: Readonly<Record<string, string>>;
      readyUrl: string | undefined;
    }
  | { source: 'url'; url: string; managementUrl: string | undefined }
);

export type ProcessComponent = Extract<ResolvedComponent, { source: 'process' }>;

type Env = Readonly<Record<string, string | undefined>>;
const referenceServices = ['crm', 'mes', 'pricing'] as const;
type ReferenceService = (typeof referenceServices)[number];

/**
 * How the reference services are wired, written as a team writes its own: the variables they read,
 * templated from the run's endpoints. A service given another image keeps this wiring unless its
 * configuration says otherwise.
 */
const referenceWiring: Readonly<Record<string, string>> = {
  AMQP_URL: '{rabbitmq.amqpUrl}',
  DATABASE_URL: '{postgres.url}',
  RABBITMQ_MANAGEMENT_URL: '{rabbitmq.managementUrl}',
  RABBITMQ_VHOST: '{rabbitmq.vhost}',
  PORT: '{port}',
};

/**
 * MES reads its order list, orders and analytics from the database's read replica when the run has
 * one, and from the database itself when it has none (the variable is then left unset).
 */
const mesReadWiring: Readonly<Record<string, string>> = { DATABASE_READ_URL: '{postgres.replicaUrl}' };

/** The variables a reference service of this name reads, templated from the run's endpoints. */
const wiringOf = (name: ComponentName): Readonly<Record<string, string>> =>
  name === 'mes' ? { ...referenceWiring, ...mesReadWiring } : referenceWiring;

const referenceShapes: Record<ReferenceService, { port: number; ready: ReadyCheck }> = {
  crm: { port: 3000, ready: { http: '/health/ready' } },
  mes: { port: 3001, ready: { http: '/health/ready' } },
  pricing: { port: 3002, ready: { http: '/health/ready' } },
};

/** What a service of this name is wired with when its configuration gives only an image. */
export function referenceShapeOf(
  name: ComponentName,
): { port: number; ready: ReadyCheck; env: Readonly<Record<string, string>> } | undefined {
  const shape = (referenceShapes as Partial<Record<ComponentName, { port: number; ready: ReadyCheck }>>)[
    name
  ];
  return shape && { ...shape, env: wiringOf(name) };
}

/** A broker, database or replica container of the run, from the pinned image of its kind. */
export function infrastructureContainer(
  kind: 'rabbitmq' | 'postgres' | 'postgres-replica',
  name: ComponentName = kind,
): ResolvedComponent {
  // The replica is a PostgreSQL server too, of the same version as its primary (streaming needs that).
  const image = defaultImages[kind === 'postgres-replica' ? 'postgres' : kind];
  return { name, kind, dependsOn: [], source: 'container', image, env: {} };
}

function containerDefaults(): Partial<Record<ComponentName, ResolvedComponent>> {
  const services = Object.fromEntries(
    referenceServices.map((name) => [
      name,
      {
        name,
        kind: 'service',
        dependsOn: [],
        source: 'container',
        image: `mes-e2e/${name}:local`,
        build: { context: servicesDir, dockerfile: `${name}/Dockerfile` },
        env: wiringOf(name),
        ...referenceShapes[name],
      },
    ]),
  );
  return {
    rabbitmq: infrastructureContainer('rabbitmq'),
    postgres: infrastructureContainer('postgres'),
    // Seed initiative 2: MES's database streams to a hot standby that serves MES's reads.
    'postgres-replica': infrastructureContainer('postgres-replica'),
    ...services,
  };
}

function localDefaults(env: Env): Partial<Record<ComponentName, ResolvedComponent>> {
  const services = Object.fromEntries(
    referenceServices.map((name) => [
      name,
      {
        name,
        kind: 'service',
        dependsOn: [],
        source: 'process',
        command: [process.execPath, `${name}/src/server.ts`],
        cwd: servicesDir,
        env: wiringOf(name),
        readyUrl: 'http://127.0.0.1:{port}/health/ready',
      },
    ]),
  );
  return {
    rabbitmq: {
      name: 'rabbitmq',
      kind: 'rabbitmq',
      dependsOn: [],
      source: 'url',
      url: env.MES_E2E_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
      managementUrl: env.MES_E2E_RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672',
    },
    postgres: {
      name: 'postgres',
      kind: 'postgres',
      dependsOn: [],
      source: 'url',
      url: env.MES_E2E_DATABASE_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres',
      managementUrl: undefined,
    },
    ...services,
  };
}

/** The components a profile has before configuration; staging has none: everything is somewhere else. */
export function profileDefaults(
  profile: ProfileName,
  env: Env,
): Partial<Record<ComponentName, ResolvedComponent>> {
  switch (profile) {
    case 'containers':
      return containerDefaults();
    case 'local':
      return localDefaults(env);
    case 'staging':
      return {};
  }
}
