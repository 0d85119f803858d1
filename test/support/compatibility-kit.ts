// The Cucumber compatibility kit's message streams (the @cucumber/compatibility-kit devDependency),
// and the verdict the gate owes each of them (test/fixtures/compatibility-kit/expected.tsv).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Envelope } from '@cucumber/messages';
import { readMessages } from '../../src/gate/messages.ts';

const kitRoot = join(
  dirname(createRequire(import.meta.url).resolve('@cucumber/compatibility-kit/package.json')),
  'features',
);

/** The names of every sample the installed kit ships (each a folder with <name>.ndjson). */
export function compatibilitySamples(): string[] {
  return readdirSync(kitRoot, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(kitRoot, entry.name, `${entry.name}.ndjson`)))
    .map((entry) => entry.name)
    .sort();
}

export function compatibilityStreamPath(sample: string): string {
  return join(kitRoot, sample, `${sample}.ndjson`);
}

export function compatibilityStream(sample: string): Envelope[] {
  return readMessages(compatibilityStreamPath(sample));
}

/** [sample, PROMOTE | BLOCK] rows of the verdict table kept in the repository. */
export function expectedVerdicts(): Array<[string, string]> {
  return readFileSync(new URL('../fixtures/compatibility-kit/expected.tsv', import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => line.split('\t') as [string, string]);
}
