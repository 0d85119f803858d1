// What each component of a run was, for the verdict: the image a container ran (its id and every
// registry digest Docker knows for it), or the URL (without credentials) or command a component was
// reached by. Read from Docker once the environment is up, so it names what ran, not what was asked.
import type { RunPlan } from '../config/load.ts';
import { type DockerEngine, dockerEngine } from '../drivers/docker-engine.ts';
import type { EnvironmentRecord } from '../environment/environment.ts';
import type { TestedComponent } from '../gate/run-identity.ts';

/** A URL as a report may show it: no user, password, query or fragment (where keys hide). */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

async function containerImage(docker: DockerEngine, name: string, id: string): Promise<TestedComponent> {
  try {
    const container = await docker.getContainer(id).inspect();
    const image = await docker.getImage(container.Image).inspect();
    return {
      name,
      source: 'container',
      image: container.Config.Image,
      imageId: image.Id,
      repoDigests: [...(image.RepoDigests ?? [])].sort(),
    };
  } catch (error) {
    return {
      name,
      source: 'unknown',
      problem: `Docker could not inspect its container: ${(error as Error).message}`,
    };
  }
}

export async function testedComponents(plan: RunPlan, record: EnvironmentRecord): Promise<TestedComponent[]> {
  const docker = record.containers.length > 0 ? await dockerEngine() : undefined;
  const described = Object.values(plan.components).map(async (component): Promise<TestedComponent> => {
    const container = record.containers.find((entry) => entry.component === component.name);
    if (container && docker) return containerImage(docker, component.name, container.id);
    if (component.source === 'url')
      return { name: component.name, source: 'url', url: withoutCredentials(component.url) };
    if (component.source === 'process')
      return { name: component.name, source: 'process', command: component.command.join(' ') };
    return { name: component.name, source: 'unknown', problem: 'no container of it was recorded' };
  });
  return (await Promise.all(described)).sort((a, b) => a.name.localeCompare(b.name));
}
