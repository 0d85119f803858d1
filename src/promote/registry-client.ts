// The few calls of the OCI distribution API a promotion needs: read a manifest by tag or digest (its
// exact bytes), make sure a repository has the blobs it names (a cross-repository mount, else a copy),
// and put the same bytes under a new tag, which gives it the same digest. Credentials come from
// MES_E2E_REGISTRY_USERNAME / MES_E2E_REGISTRY_PASSWORD; a Bearer challenge is answered with a token
// from the realm the registry names (Docker Hub, GHCR and most registries work this way).
import { createHash } from 'node:crypto';
import axios, { type AxiosResponse, type Method } from 'axios';
import { MesE2eError } from '../errors.ts';
import { registryBaseUrl } from './image-reference.ts';

const manifestTypes = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

export interface Manifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  /** The image's configuration digest (what `docker image inspect` shows as Id); undefined for an index. */
  config: string | undefined;
  /** Every blob the manifest names (configuration and layers), or the manifests an index names. */
  blobs: string[];
  children: string[];
}

export interface Credentials {
  username: string;
  password: string;
}

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

type Challenge = { scheme: string; params: Record<string, string> };

function parseChallenge(header: string | undefined): Challenge | undefined {
  const match = header ? /^(\w+)\s+(.*)$/.exec(header) : null;
  if (!match) return undefined;
  const params = Object.fromEntries(
    [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
  );
  return { scheme: (match[1] ?? '').toLowerCase(), params };
}

export class RegistryClient {
  readonly registry: string;
  private readonly base: string;
  private readonly credentials: Credentials | undefined;
  private authorization: string | undefined;

  constructor(registry: string, credentials: Credentials | undefined) {
    this.registry = registry;
    this.base = registryBaseUrl(registry);
    this.credentials = credentials;
  }

  async manifest(repository: string, reference: string): Promise<Manifest | undefined> {
    const response = await this.call('GET', `/v2/${repository}/manifests/${reference}`, repository, {
      headers: { Accept: manifestTypes.join(', ') },
    });
    if (response.status === 404) return undefined;
    this.expect(response, [200], `read the manifest ${repository}:${reference}`);
    const bytes = Buffer.from(response.data as ArrayBuffer);
    const digest = sha256(bytes);
    const said = response.headers['docker-content-digest'] as string | undefined;
    if (said && said !== digest)
      throw this.failure(
        `the manifest of ${repository}:${reference} does not hash to the digest the registry gave`,
      );
    const body = JSON.parse(bytes.toString('utf8')) as {
      mediaType?: string;
      config?: { digest: string };
      layers?: Array<{ digest: string }>;
      manifests?: Array<{ digest: string }>;
    };
    return {
      digest,
      mediaType: body.mediaType ?? String(response.headers['content-type']),
      bytes,
      config: body.config?.digest,
      blobs: [
        ...(body.config ? [body.config.digest] : []),
        ...(body.layers ?? []).map((layer) => layer.digest),
      ],
      children: (body.manifests ?? []).map((child) => child.digest),
    };
  }

  /** Makes `repository` hold the blob: mounted from `from` in the same registry, else copied through here. */
  async ensureBlob(repository: string, digest: string, from: string): Promise<void> {
    const head = await this.call('HEAD', `/v2/${repository}/blobs/${digest}`, repository);
    if (head.status === 200) return;
    const mount = await this.call(
      'POST',
      `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`,
      `${repository} ${from}`,
    );
    if (mount.status === 201) return;
    this.expect(mount, [202], `start an upload of ${digest} to ${repository}`);
    const blob = await this.call('GET', `/v2/${from}/blobs/${digest}`, from);
    this.expect(blob, [200], `read ${digest} from ${from}`);
    const location = new URL(String(mount.headers.location), this.base);
    location.searchParams.set('digest', digest);
    const put = await this.call('PUT', location.toString(), repository, {
      data: Buffer.from(blob.data as ArrayBuffer),
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    this.expect(put, [201], `upload ${digest} to ${repository}`);
  }

  async putManifest(repository: string, tag: string, manifest: Manifest): Promise<string> {
    const response = await this.call('PUT', `/v2/${repository}/manifests/${tag}`, repository, {
      data: manifest.bytes,
      headers: { 'Content-Type': manifest.mediaType },
    });
    this.expect(response, [201], `tag ${repository}:${tag}`);
    return String(response.headers['docker-content-digest'] ?? manifest.digest);
  }

  private async call(
    method: Method,
    path: string,
    scopeRepositories: string,
    options: { headers?: Record<string, string>; data?: Buffer } = {},
  ): Promise<AxiosResponse> {
    const send = () =>
      axios.request({
        method,
        url: path.startsWith('http') ? path : `${this.base}${path}`,
        headers: { ...options.headers, ...(this.authorization ? { Authorization: this.authorization } : {}) },
        data: options.data,
        responseType: 'arraybuffer',
        validateStatus: () => true,
        maxRedirects: 5,
        timeout: 60_000,
      });
    let response: AxiosResponse;
    try {
      response = await send();
      if (response.status === 401) {
        await this.authorize(response, scopeRepositories);
        response = await send();
      }
    } catch (error) {
      throw new MesE2eError(
        'environment',
        `the registry ${this.registry} does not answer (${(error as Error).message})`,
        'check the registry address and that this machine can reach it',
        { cause: error },
      );
    }
    if (response.status === 401 || response.status === 403)
      throw this.failure(
        `the registry ${this.registry} refused ${method} ${path} (${response.status})`,
        true,
      );
    return response;
  }

  private async authorize(response: AxiosResponse, scopeRepositories: string): Promise<void> {
    const challenge = parseChallenge(response.headers['www-authenticate'] as string | undefined);
    const basic = this.credentials
      ? `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`
      : undefined;
    if (challenge?.scheme === 'basic') {
      this.authorization = basic;
      return;
    }
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm) return;
    const url = new URL(challenge.params.realm);
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    for (const repository of scopeRepositories.split(' '))
      url.searchParams.append('scope', `repository:${repository}:pull,push`);
    const token = await axios.get(url.toString(), {
      headers: basic ? { Authorization: basic } : {},
      validateStatus: () => true,
      timeout: 30_000,
    });
    const body = token.data as { token?: string; access_token?: string };
    const value = body.token ?? body.access_token;
    if (token.status !== 200 || !value)
      throw this.failure(
        `the registry's token service ${url.origin} refused a token (${token.status})`,
        true,
      );
    this.authorization = `Bearer ${value}`;
  }

  private expect(response: AxiosResponse, statuses: number[], what: string): void {
    if (statuses.includes(response.status)) return;
    const text = Buffer.from((response.data as ArrayBuffer | undefined) ?? new ArrayBuffer(0))
      .toString('utf8')
      .slice(0, 300);
    throw this.failure(`could not ${what} on ${this.registry}: ${response.status} ${text}`);
  }

  private failure(message: string, credentials = false): MesE2eError {
    return new MesE2eError(
      'environment',
      message,
      credentials
        ? 'give credentials that may push: MES_E2E_REGISTRY_USERNAME and MES_E2E_REGISTRY_PASSWORD'
        : 'check the registry and run the promotion again: nothing was tagged unless it said so',
    );
  }
}
