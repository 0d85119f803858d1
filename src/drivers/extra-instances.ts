// Scale-out for scenarios: one more instance of a component beside the one the environment started,
// with the same image or command and the same settings, labelled with the run so that env down and
// env prune remove it like the rest.
import { randomBytes } from 'node:crypto';
import { MesE2eError } from '../errors.ts';
import { dockerEngine } from './docker-engine.ts';
import type { ContainerTarget, FaultTarget, ProcessTarget } from './fault-targets.ts';
import { freePort } from './ports.ts';
import { spawnProcess, stopProcess } from './processes.ts';

export interface ExtraInstance {
  /** e.g. "pricing (extra, container 3f2a...)" */
  description: string;
  /** Removes it; resolves to how it ended, as a component handle's stop does. */
  stop(): Promise<string>;
}

async function extraContainer(target: ContainerTarget): Promise<ExtraInstance> {
  const docker = await dockerEngine();
  const original = await docker.getContainer(target.containerId).inspect();
  // The run's own network (testcontainers also leaves the container on the default bridge).
  const network =
    Object.keys(original.NetworkSettings.Networks).find((name) => name !== 'bridge') ?? 'bridge';
  const extra = await docker.createContainer({
    name: `${original.Name.replace(/^\//, '')}-extra-${randomBytes(3).toString('hex')}`,
    Image: original.Config.Image,
    Env: original.Config.Env,
    Labels: { ...original.Config.Labels, ...target.extraLabels },
    // On the run's network, without host ports: it takes work from the queues, nobody calls it.
    HostConfig: { NetworkMode: network },
  });
  await extra.start();
  return {
    description: `${target.component} (extra, container ${extra.id.slice(0, 12)})`,
    stop: () => extra.remove({ force: true }).then(() => 'killed with its container'),
  };
}

async function extraProcess(target: ProcessTarget): Promise<ExtraInstance> {
  const original = target.process;
  const port = await freePort();
  // PORT: where the harness tells a process to listen, as the environment does when it starts one.
  const running = await spawnProcess({
    ...original,
    port,
    env: { ...original.env, PORT: String(port), ...target.extra.env },
    readyUrl: original.readyUrl?.replace(`:${original.port}`, `:${port}`),
    logFile: target.extra.logFile,
  });
  return {
    description: `${target.component} (extra, pid ${running.record.pid})`,
    stop: () => stopProcess(running.record.pid),
  };
}

/** Starts one more instance of the component; it is running (not necessarily ready) when this resolves. */
export function startExtraInstance(target: FaultTarget): Promise<ExtraInstance> {
  switch (target.source) {
    case 'container':
      return extraContainer(target);
    case 'process':
      return extraProcess(target);
    case 'url':
      throw new MesE2eError(
        'usage',
        `${target.component} is given by URL: mes-e2e cannot start another instance of it`,
        'run scale-out scenarios on the containers or local profile',
      );
  }
}
