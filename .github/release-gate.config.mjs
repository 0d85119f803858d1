// The release gate's configuration: the reference services run from the candidate images the
// workflow's `candidates` job built once and pushed (CANDIDATE_IMAGES/<service>:<commit>), so that
// every shard tests the same digests and `mes-e2e promote` can tag exactly those as production.
const registry = process.env.CANDIDATE_IMAGES;
const commit = process.env.GITHUB_SHA;
if (!registry || !commit)
  throw new Error(
    'CANDIDATE_IMAGES and GITHUB_SHA must be set: the release gate runs the candidates it pushed',
  );

// The policy and its quarantine.yml are looked for beside this file (.github/), like any configuration's.
const candidate = (service) => ({ source: 'container', image: `${registry}/${service}:${commit}` });

export default {
  // Reports where the README's commands look for them (the workflow's shards name their own).
  reportsDir: '../reports',
  components: { crm: candidate('crm'), mes: candidate('mes'), pricing: candidate('pricing') },
};
