// What a verdict vouches for: the commit, CI run, scenario set, configuration and component images
// every shard recorded. Shards that disagree on any of them tested different things, so they never
// merge into one PROMOTE; a re-run of one shard is a new attempt of the same CI run, which is fine.
import type { CiRun, RunIdentity, TestedComponent } from './run-identity.ts';

export interface Tested {
  commit: string | undefined;
  ci: (Omit<CiRun, 'attempt'> & { attempts: number[] }) | undefined;
  scenarioSet: RunIdentity['scenarioSet'];
  configSha256: string | undefined;
  components: TestedComponent[] | undefined;
}

type Labelled = { label: string; identity: RunIdentity };

/** What makes two records of one component the same thing tested. */
function componentKey(component: TestedComponent | undefined): string {
  if (!component) return 'not in this shard';
  switch (component.source) {
    case 'container':
      return component.imageId;
    case 'url':
      return component.url;
    case 'process':
      return component.command;
    default:
      return `unknown (${component.problem})`;
  }
}

const facets: Array<[string, (identity: RunIdentity) => string]> = [
  ['commits', (identity) => identity.commit ?? 'none recorded'],
  ['CI runs', (identity) => identity.ci?.runId ?? 'none recorded'],
  ['scenario sets', (identity) => identity.scenarioSet?.sha256.slice(0, 12) ?? 'none recorded'],
  ['configurations', (identity) => identity.configSha256?.slice(0, 12) ?? 'none recorded'],
];

function disagreement(what: string, runs: readonly Labelled[], facetOf: (identity: RunIdentity) => string) {
  const values = new Map<string, string[]>();
  for (const { label, identity } of runs) {
    const value = facetOf(identity);
    values.set(value, [...(values.get(value) ?? []), label]);
  }
  if (values.size < 2) return [];
  const listed = [...values].map(([value, labels]) => `${value} (${labels.join(', ')})`).join(' vs ');
  return [`shards tested different ${what}: ${listed}; they are not one run and do not merge`];
}

/** Reasons to refuse merging these shards: each thing they disagree on, once. */
export function identityDisagreements(runs: readonly Labelled[]): string[] {
  if (runs.length < 2) return [];
  const names = [...new Set(runs.flatMap(({ identity }) => (identity.components ?? []).map((c) => c.name)))];
  return [
    ...facets.flatMap(([what, facetOf]) => disagreement(what, runs, facetOf)),
    ...names
      .sort()
      .flatMap((name) =>
        disagreement(`images of ${name}`, runs, (identity) =>
          componentKey(identity.components?.find((component) => component.name === name)),
        ),
      ),
  ];
}

/** The identity the verdict vouches for; undefined facets where the shards did not record one. */
export function testedBy(identities: readonly RunIdentity[]): Tested | undefined {
  const [first] = identities;
  if (!first) return undefined;
  const attempts = [...new Set(identities.flatMap((identity) => (identity.ci ? [identity.ci.attempt] : [])))];
  return {
    commit: first.commit,
    ci: first.ci
      ? { runId: first.ci.runId, url: first.ci.url, attempts: attempts.sort((a, b) => a - b) }
      : undefined,
    scenarioSet: first.scenarioSet,
    configSha256: first.configSha256,
    components: first.components,
  };
}
