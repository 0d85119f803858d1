// Image references as Docker reads them: [registry/]repository[:tag][@digest]. The first path part is
// a registry when it has a dot or a port or is localhost; otherwise the image is on Docker Hub.
import { MesE2eError } from '../errors.ts';

export interface ImageReference {
  /** host[:port] as written; docker.io for Docker Hub. */
  registry: string;
  repository: string;
  tag: string | undefined;
  digest: string | undefined;
}

const digestPattern = /^sha256:[0-9a-f]{64}$/;

export function parseImageReference(text: string, what: string): ImageReference {
  const [name = '', digest] = text.trim().split('@');
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const onRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  const registry = onRegistry ? first : 'docker.io';
  const path = onRegistry ? name.slice(slash + 1) : name;
  const colon = path.lastIndexOf(':');
  const tagged = colon > path.lastIndexOf('/');
  const bare = tagged ? path.slice(0, colon) : path;
  const repository = registry === 'docker.io' && !bare.includes('/') ? `library/${bare}` : bare;
  const tag = tagged ? path.slice(colon + 1) : undefined;
  const valid =
    /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/.test(repository) &&
    (tag === undefined || /^\w[\w.-]{0,127}$/.test(tag)) &&
    (digest === undefined || digestPattern.test(digest));
  if (!valid || (tag === undefined && digest === undefined && text.includes('@')))
    throw new MesE2eError(
      'usage',
      `${what}: "${text}" is not an image reference`,
      'write it as registry/repository:tag, e.g. registry.example.com/acme/pricing:prod',
    );
  return { registry, repository, tag, digest };
}

export const formatReference = (
  ref: ImageReference,
  at = ref.digest ? `@${ref.digest}` : `:${ref.tag ?? 'latest'}`,
) => `${ref.registry}/${ref.repository}${at}`;

/** Loopback registries speak plain HTTP, as Docker allows them by default; every other one HTTPS. */
export function registryBaseUrl(registry: string): string {
  if (registry === 'docker.io') return 'https://registry-1.docker.io';
  const host = registry.replace(/:\d+$/, '');
  const loopback = host === 'localhost' || /^127\./.test(host) || host === '[::1]';
  return `${loopback ? 'http' : 'https'}://${registry}`;
}
