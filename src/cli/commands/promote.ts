// `mes-e2e promote`: tags production with exactly the images a PROMOTE verdict tested, in an OCI
// registry; a refusal (exit 1, or 3 for a compromised run) leaves every production tag as it was.
import { resolve } from 'node:path';
import { MesE2eError } from '../../errors.ts';
import { parseImageReference } from '../../promote/image-reference.ts';
import { type PromotionTarget, promote } from '../../promote/promotion.ts';
import type { Credentials } from '../../promote/registry-client.ts';
import { readTestedVerdict } from '../../promote/tested-verdict.ts';
import type { Outcome } from '../outcome.ts';
import type { Output } from '../output.ts';

export interface PromoteOptions {
  verdict: string;
  to: string[];
  commit?: string;
  dryRun?: boolean;
  json?: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

function targetOf(text: string): PromotionTarget {
  const equals = text.indexOf('=');
  if (equals < 1)
    throw new MesE2eError(
      'usage',
      `--to ${text}: expected <component>=<registry>/<repository>:<tag>`,
      'e.g. --to pricing=registry.example.com/acme/pricing:prod (one --to per component)',
    );
  const component = text.slice(0, equals);
  const to = parseImageReference(text.slice(equals + 1), `--to ${component}`);
  if (to.digest || !to.tag)
    throw new MesE2eError('usage', `--to ${text}: name the tag to set, not a digest`, 'e.g. ...:prod');
  return { component, to };
}

function credentialsOf(env: Env): Credentials | undefined {
  const username = env.MES_E2E_REGISTRY_USERNAME;
  const password = env.MES_E2E_REGISTRY_PASSWORD;
  return username && password ? { username, password } : undefined;
}

export async function promoteCommand(
  options: PromoteOptions,
  io: { cwd: string; env: Env },
  out: Output,
): Promise<Outcome> {
  const commit = options.commit ?? io.env.GITHUB_SHA;
  if (!commit)
    throw new MesE2eError(
      'usage',
      'which commit is being released? neither --commit nor GITHUB_SHA is set',
      'give --commit <sha>: the verdict must be for the commit you release',
    );
  const targets = options.to.map(targetOf);
  const verdict = readTestedVerdict(resolve(io.cwd, options.verdict));
  const promotion = await promote(
    verdict,
    { targets, commit, dryRun: options.dryRun === true, credentials: credentialsOf(io.env) },
    (message) => out.progress(message),
  );
  if (options.json) out.json(promotion);
  else if ('reasons' in promotion) {
    out.line(out.color.red.bold('NOT PROMOTED: every production tag is unchanged'));
    for (const reason of promotion.reasons) out.line(`  - ${reason}`);
  } else {
    const verb = promotion.outcome === 'planned' ? 'would tag' : 'tagged';
    for (const copy of promotion.copies) out.line(`${copy.component}: ${verb} ${copy.to} with ${copy.from}`);
    out.line(out.color.green.bold(promotion.outcome === 'planned' ? 'PROMOTABLE (dry run)' : 'PROMOTED'));
  }
  if (promotion.outcome === 'compromised') return 'compromised';
  return promotion.outcome === 'refused' ? 'block' : 'done';
}
