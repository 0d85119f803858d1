// Promotion of exactly what was tested: each component's production tag gets the manifest, byte for
// byte, of the image the verdict names. Everything is checked before anything is tagged, so a refusal
// leaves every production tag as it was: a BLOCK, a compromised run, a verdict of another commit, a
// component that did not run from that registry, or a candidate that no longer is the tested image.
import { MesE2eError } from '../errors.ts';
import { formatReference, type ImageReference, parseImageReference } from './image-reference.ts';
import { type Credentials, type Manifest, RegistryClient } from './registry-client.ts';
import type { TestedVerdict } from './tested-verdict.ts';

export interface PromotionTarget {
  component: string;
  to: ImageReference;
}

export interface PlannedCopy {
  component: string;
  from: string;
  to: string;
  digest: string;
}

export type Promotion =
  | { outcome: 'promoted' | 'planned'; copies: PlannedCopy[] }
  | { outcome: 'refused' | 'compromised'; reasons: string[] };

type Tested = NonNullable<TestedVerdict['tested']>;
type ContainerComponent = Extract<NonNullable<Tested['components']>[number], { source: 'container' }>;

/** What makes the verdict itself unfit to promote, before any registry is asked. */
function verdictRefusals(verdict: TestedVerdict, commit: string): Promotion | undefined {
  if (verdict.compromised.length > 0)
    return {
      outcome: 'compromised',
      reasons: verdict.compromised.map((problem) => `the run was compromised: ${problem}`),
    };
  if (verdict.verdict !== 'PROMOTE')
    return {
      outcome: 'refused',
      reasons: [`the verdict is BLOCK: ${verdict.reasons.slice(0, 3).join('; ')}`],
    };
  const tested = verdict.tested;
  if (!tested)
    return {
      outcome: 'refused',
      reasons: [
        'the verdict does not say what it tested (its shards disagreed, or an older mes-e2e wrote it)',
      ],
    };
  const sameCommit = tested.commit !== undefined && commit.length >= 7 && tested.commit.startsWith(commit);
  if (!sameCommit)
    return {
      outcome: 'refused',
      reasons: [
        `the verdict is for commit ${tested.commit ?? '(none recorded)'}, not for ${commit}: it proves nothing about this commit`,
      ],
    };
  return undefined;
}

function testedContainer(tested: Tested, target: PromotionTarget): ContainerComponent | string {
  const component = tested.components?.find((entry) => entry.name === target.component);
  if (!component) return `${target.component} is not a component of the tested run`;
  if (component.source !== 'container')
    return `${target.component} ran as a ${component.source}, not from an image: there is no tested image to promote`;
  return component;
}

/** The manifest the candidate reference holds now, if it is the image that ran; else why not. */
async function testedManifest(
  client: RegistryClient,
  component: ContainerComponent,
  from: ImageReference,
): Promise<Manifest | string> {
  const manifest = await client.manifest(from.repository, from.digest ?? from.tag ?? 'latest');
  if (!manifest) return `${component.name}: ${formatReference(from)} is not in the registry`;
  // Docker writes Docker Hub's digests without the registry (acme/app@…): compare them as references.
  const recorded = component.repoDigests
    .map((entry) => parseImageReference(entry, `a digest of ${component.name}`))
    .filter((ref) => ref.registry === from.registry && ref.repository === from.repository)
    .flatMap((ref) => (ref.digest ? [ref.digest] : []));
  const configs = manifest.config
    ? [manifest.config]
    : await Promise.all(
        manifest.children.map(async (child) => (await client.manifest(from.repository, child))?.config),
      );
  const sameImage =
    configs.includes(component.imageId) && (recorded.length === 0 || recorded.includes(manifest.digest));
  if (sameImage) return manifest;
  return `${component.name}: ${formatReference(from)} is now ${manifest.digest} (image ${configs.join(', ') || 'unknown'}), but the run tested image ${component.imageId}${recorded.length > 0 ? ` (${recorded.join(', ')})` : ''}: it was rebuilt or pushed again after the run; run the gate on it`;
}

async function copyInto(
  client: RegistryClient,
  repository: string,
  manifest: Manifest,
  from: string,
): Promise<void> {
  for (const blob of manifest.blobs) await client.ensureBlob(repository, blob, from);
  for (const child of manifest.children) {
    const inner = await client.manifest(from, child);
    if (!inner) throw registryProblem(`${from}@${child} is named by its index but is not in the registry`);
    await copyInto(client, repository, inner, from);
    await client.putManifest(repository, child, inner);
  }
}

export async function promote(
  verdict: TestedVerdict,
  request: {
    targets: readonly PromotionTarget[];
    commit: string;
    dryRun: boolean;
    credentials?: Credentials;
  },
  onProgress: (message: string) => void,
): Promise<Promotion> {
  const refused = verdictRefusals(verdict, request.commit);
  if (refused) return refused;
  const tested = verdict.tested as Tested;
  const reasons: string[] = [];
  const ready: Array<{
    target: PromotionTarget;
    from: ImageReference;
    manifest: Manifest;
    client: RegistryClient;
  }> = [];
  const clients = new Map<string, RegistryClient>();
  for (const target of request.targets) {
    const component = testedContainer(tested, target);
    if (typeof component === 'string') {
      reasons.push(component);
      continue;
    }
    const from = parseImageReference(component.image, `the image ${component.name} ran`);
    if (from.registry !== target.to.registry) {
      reasons.push(
        `${component.name} ran ${component.image}, not an image of ${target.to.registry}: push the candidate there and run the gate on it, so that the verdict names the image the registry holds`,
      );
      continue;
    }
    const client = clients.get(from.registry) ?? new RegistryClient(from.registry, request.credentials);
    clients.set(from.registry, client);
    onProgress(`checking ${formatReference(from)} against the tested image of ${component.name}`);
    const manifest = await testedManifest(client, component, from);
    if (typeof manifest === 'string') reasons.push(manifest);
    else ready.push({ target, from, manifest, client });
  }
  if (reasons.length > 0) return { outcome: 'refused', reasons };
  const copies = ready.map(({ target, from, manifest }) => ({
    component: target.component,
    from: formatReference(from, `@${manifest.digest}`),
    to: formatReference(target.to),
    digest: manifest.digest,
  }));
  if (request.dryRun) return { outcome: 'planned', copies };
  for (const { target, from, manifest, client } of ready) {
    onProgress(`tagging ${formatReference(target.to)} with ${manifest.digest}`);
    await copyInto(client, target.to.repository, manifest, from.repository);
    await client.putManifest(target.to.repository, target.to.tag ?? 'latest', manifest);
    const now = await client.manifest(target.to.repository, target.to.tag ?? 'latest');
    if (now?.digest !== manifest.digest)
      throw registryProblem(
        `${formatReference(target.to)} resolves to ${now?.digest ?? 'nothing'} after tagging it with ${manifest.digest}`,
      );
  }
  return { outcome: 'promoted', copies };
}

function registryProblem(message: string): MesE2eError {
  return new MesE2eError('environment', message, 'check the registry: another push may have raced this one');
}
