// What a run left on the Docker engine: how its containers ended, and their removal. Every container
// and network a run creates carries its label, so removal by label is complete even for what failed
// half-way.
import { dockerEngine } from '../drivers/docker-engine.ts';
import { labels } from './run-id.ts';

/**
 * The exit code of the run's container for the component once it has stopped; undefined while it
 * runs, or when there is none (never created, or already removed).
 */
export async function exitCodeOf(runId: string, component: string): Promise<number | undefined> {
  const docker = await dockerEngine();
  const filters = { label: [`${labels.runId}=${runId}`, `${labels.component}=${component}`] };
  const [container] = await docker.listContainers({ all: true, filters });
  if (container?.State !== 'exited' && container?.State !== 'dead') return undefined;
  return (await docker.getContainer(container.Id).inspect()).State.ExitCode;
}

/** Removes every container and the network labelled with the run id; returns what it removed. */
export async function removeContainersByRunId(
  runId: string,
): Promise<{ containers: string[]; networks: string[] }> {
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
