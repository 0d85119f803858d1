// Which run (and which shard of it) a messages stream belongs to. mes-e2e run writes it into the
// stream itself, as a run-level attachment right after testRunStarted: a valid cucumber message
// that other tools ignore, so the stream alone says where it came from.
import { AttachmentContentEncoding, type Envelope } from '@cucumber/messages';

export const runIdentityMediaType = 'application/vnd.mes-e2e.run+json';
/** Written after the run when components were broken at its end: the gate never promotes it. */
export const compromisedMediaType = 'application/vnd.mes-e2e.compromised+json';

export interface Shard {
  index: number;
  total: number;
}

/** The CI run that ran it (GitHub Actions): a re-run of a job keeps the run id, not the attempt. */
export interface CiRun {
  runId: string;
  attempt: number;
  url?: string | undefined;
}

/** What one component of the run was: the image it ran (by digest), or where it was reached. */
export type TestedComponent =
  | {
      name: string;
      source: 'container';
      /** The image reference as the run gave it to Docker. */
      image: string;
      /** The local image id (the digest of its configuration): what a registry manifest names as config. */
      imageId: string;
      /** repository@sha256:... for every registry the image came from or was pushed to. */
      repoDigests: string[];
    }
  | { name: string; source: 'url'; url: string }
  | { name: string; source: 'process'; command: string }
  /** Docker could not say what ran: the verdict cannot vouch for this component's image. */
  | { name: string; source: 'unknown'; problem: string };

export interface RunIdentity {
  /** Shared by every shard of one run (--name, or the run id when not sharded). */
  name: string;
  /** This process's own run id: reports/<runId>/. */
  runId: string;
  shard?: Shard | undefined;
  commit?: string | undefined;
  ci?: CiRun | undefined;
  /** sha256 of every scenario the selection picks before sharding (places, names and feature texts). */
  scenarioSet?: { count: number; sha256: string } | undefined;
  /** sha256 of the configuration and policy as judged (independent of the folder it ran in). */
  configSha256?: string | undefined;
  components?: TestedComponent[] | undefined;
}

function runAttachment(
  body: unknown,
  mediaType: string,
  fileName: string,
  testRunStartedId?: string,
): Envelope {
  return {
    attachment: {
      body: JSON.stringify(body),
      contentEncoding: AttachmentContentEncoding.IDENTITY,
      mediaType,
      fileName,
      ...(testRunStartedId ? { testRunStartedId } : {}),
    },
  };
}

export const identityEnvelope = (identity: RunIdentity, testRunStartedId: string | undefined) =>
  runAttachment(identity, runIdentityMediaType, 'mes-e2e-run.json', testRunStartedId);

export const compromisedEnvelope = (problems: readonly string[], testRunStartedId: string | undefined) =>
  runAttachment({ problems }, compromisedMediaType, 'mes-e2e-compromised.json', testRunStartedId);

/** The components the run found broken at its end, as it recorded them in its messages. */
export function findCompromised(envelopes: readonly Envelope[]): string[] {
  return envelopes.flatMap((envelope) => {
    if (envelope.attachment?.mediaType !== compromisedMediaType) return [];
    try {
      const { problems } = JSON.parse(envelope.attachment.body) as { problems?: unknown };
      return Array.isArray(problems) ? problems.map(String) : ['the environment broke during the run'];
    } catch {
      return ['the environment broke during the run'];
    }
  });
}

export function findRunIdentity(envelopes: readonly Envelope[]): RunIdentity | undefined {
  const attachment = envelopes.find(
    (envelope) => envelope.attachment?.mediaType === runIdentityMediaType,
  )?.attachment;
  if (!attachment) return undefined;
  try {
    const parsed = JSON.parse(attachment.body) as RunIdentity;
    return typeof parsed.name === 'string' && typeof parsed.runId === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** "2/4" -> { index: 2, total: 4 } */
export function parseShardText(text: string | undefined): Shard | undefined {
  const match = text ? /^(\d+)\/(\d+)$/.exec(text) : null;
  return match ? { index: Number(match[1]), total: Number(match[2]) } : undefined;
}
