// The Docker engine testcontainers finds (DOCKER_HOST, a socket, a remote host), for the harness's
// own calls to it: fault injection on containers, their logs, and what the environment removes.
import { type ContainerRuntimeClient, getContainerRuntimeClient } from 'testcontainers';
import { MesE2eError } from '../errors.ts';

/** Dockerode, named through testcontainers: the package that brings it. */
export type DockerEngine = ContainerRuntimeClient['container']['dockerode'];

/** The Docker engine, or an environment failure that says how to get one. */
export async function dockerEngine(): Promise<DockerEngine> {
  return (await runtimeClient()).container.dockerode;
}

/** Where this machine reaches the ports containers publish (known before any container starts). */
export async function dockerHost(): Promise<string> {
  return (await runtimeClient()).info.containerRuntime.host;
}

async function runtimeClient() {
  try {
    return await getContainerRuntimeClient();
  } catch (error) {
    throw new MesE2eError(
      'environment',
      `no Docker engine answers (${(error as Error).message})`,
      'start Docker (or point DOCKER_HOST at one); mes-e2e doctor checks the whole machine',
      { cause: error },
    );
  }
}
