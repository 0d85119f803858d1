// What each profile starts from when the configuration says nothing: the reference stack of services/.
import { join } from 'node:path';
import { packageRoot } from '../package-root.ts';
import { defaultImages } from './images.ts';
import type { ComponentName, ProfileName } from './schema.ts';

/** services/ of this package: the reference stack's sources and Dockerfiles. */
export const servicesDir = `${join(packageRoot, 'services')}/`;

export type ResolvedComponent = { readyTimeoutMs?: number | undefined } & (
  | {
      name: ComponentName;
      source: 'container';
      image: string;
      /** Set when the image is built from a Dockerfile rather than taken as it is. */
      build?: { context: string; dockerfile: string };
      env: Readonly<Record<string, string>>;
    }
  | {
      name: ComponentName;
      source: 'process';
      command: readonly string[];
      cwd: string;
      env: Readonly<Record<string, string>>;
      readyUrl: string | undefined;
    }
  | { name: ComponentName; source: 'url'; url: string; managementUrl: string | undefined }
);

export type ProcessComponent = Extract<ResolvedComponent, { source: 'process' }>;

type Env = Readonly<Record<string, string | undefined>>;
const referenceServices = ['crm', 'mes', 'pricing'] as const;

function containerDefaults(): Partial<Record<ComponentName, ResolvedComponent>> {
  const services = Object.fromEntries(
    referenceServices.map((name) => [
      name,
      {
        name,
        source: 'container',
        image: `mes-e2e/${name}:local`,
        build: { context: servicesDir, dockerfile: `${name}/Dockerfile` },
        env: {},
      },
    ]),
  );
  return {
    rabbitmq: { name: 'rabbitmq', source: 'container', image: defaultImages.rabbitmq, env: {} },
    postgres: { name: 'postgres', source: 'container', image: defaultImages.postgres, env: {} },
    ...services,
  };
}

function localDefaults(env: Env): Partial<Record<ComponentName, ResolvedComponent>> {
  const services = Object.fromEntries(
    referenceServices.map((name) => [
      name,
      {
        name,
        source: 'process',
        command: [process.execPath, `${name}/src/server.ts`],
        cwd: servicesDir,
        env: {},
        readyUrl: 'http://127.0.0.1:{port}/health/ready',
      },
    ]),
  );
  return {
    rabbitmq: {
      name: 'rabbitmq',
      source: 'url',
      url: env.MES_E2E_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
      managementUrl: env.MES_E2E_RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672',
    },
    postgres: {
      name: 'postgres',
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
