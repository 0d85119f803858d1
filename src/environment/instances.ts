// Scale-out for scenarios: one more instance of a component beside the one the environment
// started, with the same image or command and the same settings, labelled with the run so that
// env down and env prune remove it like the rest.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ComponentName } from '../config/schema.ts';
import { MesE2eError } from '../errors.ts';
import { dockerEngine } from './docker.ts';
import type { EnvironmentRecord } from './environment.ts';
import { freePort } from './ports.ts';
import { spawnProcess, stopProcess } from './processes.ts';
import { labels } from './run-id.ts';

export interface ExtraInstance {
  /** e.g. "pricing (extra, container 3f2a...)" */
  description: string;
  /** Removes it; resolves to how it ended, as a component handle's stop does. */
  stop(): Promise<string>;
}

async function extraContainer(component: ComponentName, id: string): Promise<ExtraInstance> {
  const docker = await dockerEngine();
  const original = await docker.getContainer(id).inspect();
  // The run's own network (testcontainers also leaves the container on the default bridge).
  const network =
    Object.keys(original.NetworkSettings.Networks).find((name) => name !== 'bridge') ?? 'bridge';
  const extra = await docker.createContainer({
    name: `${original.Name.replace(/^\//, '')}-extra-${randomBytes(3).toString('hex')}`,
    Image: original.Config.Image,
    Env: original.Config.Env,
    Labels: { ...original.Config.Labels, [labels.component]: `${component}-extra` },
    // On the run's network, without host ports: it takes work from the queues, nobody calls it.
    HostConfig: { NetworkMode: network },
  });
  await extra.start();
  return {
    description: `${component} (extra, container ${extra.id.slice(0, 12)})`,
    stop: () => extra.remove({ force: true }).then(() => 'killed with its container'),
  };
}

async function extraProcess(record: EnvironmentRecord, component: ComponentName): Promise<ExtraInstance> {
  const original = record.processes.find((p) => p.component === component);
  if (!original) throw new Error(`${component} is not a process of this environment`);
  const port = await freePort();
  const running = await spawnProcess({
    ...original,
    port,
    env: { ...original.env, PORT: String(port), MES_E2E_COMPONENT: `${component}-extra` },
    readyUrl: original.readyUrl?.replace(`:${original.port}`, `:${port}`),
    logFile: join(record.logDir, `${component}-extra.log`),
  });
  return {
    description: `${component} (extra, pid ${running.record.pid})`,
    stop: () => stopProcess(running.record.pid),
  };
}

/** Starts one more instance of the component; it is running (not necessarily ready) when this resolves. */
export function startExtraInstance(
  record: EnvironmentRecord,
  component: ComponentName,
): Promise<ExtraInstance> {
  const container = record.containers.find((c) => c.component === component);
  if (container) return extraContainer(component, container.id);
  if (record.processes.some((p) => p.component === component)) return extraProcess(record, component);
  throw new MesE2eError(
    'usage',
    `${component} is given by URL: mes-e2e cannot start another instance of it`,
    'run scale-out scenarios on the containers or local profile',
  );
}
