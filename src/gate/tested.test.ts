import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunIdentity } from './run-identity.ts';
import { identityDisagreements, testedBy } from './tested.ts';

const shard = (index: number, changes: Partial<RunIdentity> = {}): RunIdentity => ({
  name: 'release-7',
  runId: `run-${index}`,
  shard: { index, total: 2 },
  commit: 'a'.repeat(40),
  ci: { runId: '991', attempt: 1 },
  scenarioSet: { count: 26, sha256: 'c'.repeat(64) },
  configSha256: 'd'.repeat(64),
  components: [
    { name: 'pricing', source: 'container', image: 'acme/pricing:rc', imageId: 'sha256:1', repoDigests: [] },
    { name: 'rabbitmq', source: 'url', url: 'amqp://broker:5672/' },
  ],
  ...changes,
});

const labelled = (...identities: RunIdentity[]) =>
  identities.map((identity) => ({ label: `shard ${identity.shard?.index}/2`, identity }));

test('shards that tested the same things agree, whatever attempt each ran in', () => {
  const rerun = shard(2, { ci: { runId: '991', attempt: 2 } });
  assert.deepEqual(identityDisagreements(labelled(shard(1), rerun)), []);
  assert.deepEqual(testedBy([shard(1), rerun])?.ci?.attempts, [1, 2]);
});

test('each thing shards disagree on is a reason, naming the values and the shards', () => {
  const other = shard(2, {
    commit: 'b'.repeat(40),
    configSha256: 'e'.repeat(64),
    components: [
      {
        name: 'pricing',
        source: 'container',
        image: 'acme/pricing:rc',
        imageId: 'sha256:2',
        repoDigests: [],
      },
      { name: 'rabbitmq', source: 'url', url: 'amqp://broker:5672/' },
    ],
  });
  const reasons = identityDisagreements(labelled(shard(1), other));
  assert.equal(reasons.length, 3, reasons.join('\n'));
  assert.match(reasons[0] ?? '', /different commits: a{40} \(shard 1\/2\) vs b{40} \(shard 2\/2\)/);
  assert.match(reasons[1] ?? '', /different configurations: d{12} \(shard 1\/2\) vs e{12} \(shard 2\/2\)/);
  assert.match(
    reasons[2] ?? '',
    /different images of pricing: sha256:1 \(shard 1\/2\) vs sha256:2 \(shard 2\/2\)/,
  );
});

test('a shard that recorded nothing disagrees with one that did (an older mes-e2e, or another tool)', () => {
  const bare = shard(2, { scenarioSet: undefined, components: undefined });
  const reasons = identityDisagreements(labelled(shard(1), bare));
  assert.match(
    reasons.join('\n'),
    /different scenario sets: c{12} \(shard 1\/2\) vs none recorded \(shard 2\/2\)/,
  );
  assert.match(
    reasons.join('\n'),
    /different images of pricing: sha256:1 \(shard 1\/2\) vs not in this shard/,
  );
});
