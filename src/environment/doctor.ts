// Checks that the chosen profile can run on this machine: Node, Docker and images for containers,
// reachability for components given by URL, commands for processes, and the optional browser and Java.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { type ContainerRuntimeClient, getContainerRuntimeClient, ImageName } from 'testcontainers';
import type { ResolvedComponent } from '../config/defaults.ts';
import { defaultImages } from '../config/images.ts';
import type { RunPlan } from '../config/load.ts';
import { ChromiumNotFoundError, chromiumVariable, findChromium } from '../drivers/browser.ts';
import {
  amqpHandshake,
  httpAnswers,
  managementOverview,
  sqlSelectOne,
  sqlStandbyStreaming,
} from '../drivers/probes.ts';

export interface Check {
  name: string;
  ok: boolean;
  /** A check that is not required only warns: the profile can run without it. */
  required: boolean;
  detail: string;
  fix?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

const describeError = (error: unknown) =>
  error instanceof AggregateError && error.errors.length > 0
    ? String((error.errors[0] as Error).message)
    : error instanceof Error
      ? error.message || error.name
      : String(error);

/** A deadline on a probe (not a wait): a host that never answers must not hang doctor. */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms).unref(),
    ),
  ]);
}

function checkNode(): Check {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > 22 || (major === 22 && minor >= 12);
  return {
    name: 'node',
    ok,
    required: true,
    detail: `Node ${process.versions.node}`,
    ...(ok
      ? {}
      : { fix: 'install Node 24 LTS (nvm install 24), or run npm run setup in the mes-e2e checkout' }),
  };
}

async function checkDocker(): Promise<{ check: Check; client?: ContainerRuntimeClient }> {
  try {
    const client = await withTimeout(getContainerRuntimeClient(), 15_000, 'Docker engine');
    const runtime = client.info.containerRuntime;
    return {
      client,
      check: {
        name: 'docker',
        ok: true,
        required: true,
        detail: `engine ${runtime.serverVersion} (${runtime.operatingSystem}), ${runtime.cpus} CPUs, at ${runtime.remoteSocketPath || runtime.host}`,
      },
    };
  } catch (error) {
    return {
      check: {
        name: 'docker',
        ok: false,
        required: true,
        detail: `no Docker engine answers: ${describeError(error)}`,
        fix: 'start Docker (or point DOCKER_HOST at one), or use --profile local with a broker and database by URL',
      },
    };
  }
}

async function checkImage(client: ContainerRuntimeClient, image: string, purpose: string): Promise<Check> {
  const present = await client.image.exists(ImageName.fromString(image)).catch(() => false);
  return {
    name: `image ${image}`,
    ok: present,
    required: true,
    detail: present ? `present (${purpose})` : `not on this engine (${purpose})`,
    ...(present
      ? {}
      : {
          fix: `docker pull ${image}; on a machine without a registry, npm run setup builds stand-ins under the same name`,
        }),
  };
}

async function checkUrlComponent(component: Extract<ResolvedComponent, { source: 'url' }>): Promise<Check[]> {
  const name = `${component.name} (url)`;
  const reach = async (what: string, probe: () => Promise<unknown>, fix: string): Promise<Check> => {
    try {
      await withTimeout(probe(), 5_000, what);
      return { name, ok: true, required: true, detail: `${what} answers` };
    } catch (error) {
      return { name, ok: false, required: true, detail: `${what} unreachable: ${describeError(error)}`, fix };
    }
  };
  if (component.kind === 'postgres-replica')
    return [
      await reach(
        'a hot standby streaming from its primary',
        () => sqlStandbyStreaming(component.url),
        `start the replica or fix components.${component.name}.url (it must be a hot standby of the run's database)`,
      ),
    ];
  switch (component.name) {
    case 'rabbitmq': {
      const checks = [
        await reach(
          'AMQP handshake',
          () => amqpHandshake(component.url),
          'start RabbitMQ or fix components.rabbitmq.url (MES_E2E_AMQP_URL)',
        ),
      ];
      const management = component.managementUrl;
      if (management) {
        checks.push(
          await reach(
            'management API',
            () => managementOverview(management),
            'enable the rabbitmq_management plugin or fix components.rabbitmq.managementUrl: per-run vhosts need it',
          ),
        );
      }
      return checks;
    }
    case 'postgres':
      return [
        await reach(
          'SQL select 1',
          () => sqlSelectOne(component.url),
          'start PostgreSQL or fix components.postgres.url (MES_E2E_DATABASE_URL)',
        ),
      ];
    default:
      return [
        await reach('HTTP', () => httpAnswers(component.url), `start ${component.name} or fix its URL`),
      ];
  }
}

function findExecutable(command: string, env: Env): string | undefined {
  const candidates = isAbsolute(command)
    ? [command]
    : (env.PATH ?? '').split(delimiter).map((dir) => join(dir, command));
  return candidates.find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function checkProcessComponent(
  component: Extract<ResolvedComponent, { source: 'process' }>,
  env: Env,
): Check {
  const [command = ''] = component.command;
  const found = findExecutable(command, env);
  return {
    name: `${component.name} (process)`,
    ok: found !== undefined,
    required: true,
    detail: found ? `runs ${found}` : `command "${command}" not found`,
    ...(found ? {} : { fix: `install ${command} or fix components.${component.name}.command` }),
  };
}

async function checkChromium(configured: string | undefined): Promise<Check> {
  try {
    const found = await findChromium(configured);
    return { name: 'chromium', ok: true, required: false, detail: `${found} (for @ui scenarios)` };
  } catch (error) {
    if (!(error instanceof ChromiumNotFoundError)) throw error;
    return {
      name: 'chromium',
      ok: false,
      required: false,
      detail: `${error.problem}: @ui scenarios cannot run`,
      fix: error.fix,
    };
  }
}

function checkJava(): Promise<Check> {
  return new Promise((resolve) => {
    execFile('java', ['-version'], { timeout: 10_000 }, (error, _stdout, stderr) => {
      const version = stderr.split('\n')[0]?.trim();
      resolve(
        error
          ? {
              name: 'java',
              ok: false,
              required: false,
              detail: 'no Java: the Allure HTML report cannot be generated (the other reports can)',
              fix: 'install a Java runtime (apt-get install default-jre-headless)',
            }
          : { name: 'java', ok: true, required: false, detail: `${version} (for the Allure report)` },
      );
    });
  });
}

export async function runDoctor(plan: RunPlan, env: Env): Promise<Check[]> {
  const components = Object.values(plan.components);
  const checks: Check[] = [checkNode()];
  if (components.some((c) => c.source === 'container')) {
    const docker = await checkDocker();
    checks.push(docker.check);
    const { client } = docker;
    if (client) {
      const images = new Map<string, string>();
      for (const component of components) {
        if (component.source !== 'container') continue;
        if (component.build) images.set(defaultImages.node, 'base of the reference service images');
        else images.set(component.image, component.name);
      }
      for (const [image, purpose] of images) checks.push(await checkImage(client, image, purpose));
    }
  }
  for (const component of components) {
    if (component.source === 'url') checks.push(...(await checkUrlComponent(component)));
    if (component.source === 'process') checks.push(checkProcessComponent(component, env));
  }
  checks.push(await checkChromium(plan.chromium ?? env[chromiumVariable]), await checkJava());
  return checks;
}
