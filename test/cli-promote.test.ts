// `mes-e2e promote` against a real OCI registry (the CNCF distribution registry, registry:2) in a
// container: a PROMOTE verdict tags production with exactly its digest; a BLOCK, a compromised run, a
// verdict of another commit and a candidate rebuilt after the run are refused with their reason and
// exit code, and the production tag stays where it was. The images are real (built and pushed by
// Docker here); the verdicts are gate.json files written from what Docker says of them, as `mes-e2e
// run` writes them (test/cli-run-containers.test.ts proves a run records its images that way).
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GenericContainer, type StartedTestContainer, Wait } from 'testcontainers';
import { dockerMissing, skipWhenMissing } from './support/needs.ts';
import { runCommand, runMesE2e } from './support/run-cli.ts';

const skip = skipWhenMissing('promotion against a registry', await dockerMissing());
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
const commit = 'c0ffee0000000000000000000000000000000001';

async function docker(...args: string[]): Promise<string> {
  const result = await runCommand('docker', args);
  assert.equal(result.code, 0, `docker ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/** A small image of its own (one file): rebuilding it with other text gives another digest. */
async function buildAndPush(
  reference: string,
  text: string,
): Promise<{ imageId: string; repoDigests: string[] }> {
  const context = mkdtempSync(join(tmpdir(), 'mes-e2e-promote-image-'));
  writeFileSync(join(context, 'release.txt'), text);
  writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\nCOPY release.txt /release.txt\n');
  await docker('build', '-q', '-t', reference, context);
  await docker('push', '-q', reference);
  const inspected = JSON.parse(await docker('image', 'inspect', reference)) as Array<{
    Id: string;
    RepoDigests: string[];
  }>;
  return { imageId: inspected[0]?.Id ?? '', repoDigests: inspected[0]?.RepoDigests ?? [] };
}

function verdictFile(body: Record<string, unknown>): string {
  const file = join(mkdtempSync(join(tmpdir(), 'mes-e2e-verdict-')), 'gate.json');
  writeFileSync(file, JSON.stringify({ format: 'mes-e2e/gate@1', reasons: [], compromised: [], ...body }));
  return file;
}

describe('mes-e2e promote against a registry in a container', { timeout: 300_000, skip }, () => {
  let registry: StartedTestContainer;
  let host: string;
  let tested: { imageId: string; repoDigests: string[] };
  let promoteVerdict: string;

  const digestOf = async (repository: string, tag: string) => {
    const response = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
      method: 'HEAD',
      headers: {
        Accept:
          'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
      },
    });
    return response.status === 200 ? response.headers.get('docker-content-digest') : null;
  };
  const promote = (verdict: string, ...extra: string[]) =>
    runMesE2e(
      ['promote', '--verdict', verdict, '--to', `app=${host}/acme/app:prod`, '--commit', commit, ...extra],
      {
        cwd: tmpdir(),
        env,
      },
    );
  const componentsOf = (image: { imageId: string; repoDigests: string[] }) => [
    { name: 'app', source: 'container', image: `${host}/acme/app:candidate`, ...image },
    { name: 'rabbitmq', source: 'url', url: 'amqp://broker:5672/' },
  ];

  before(async () => {
    registry = await new GenericContainer('registry:2')
      .withExposedPorts(5000)
      .withLabels({ 'org.mes-e2e.test': 'promote' })
      .withWaitStrategy(Wait.forHttp('/v2/', 5000).forStatusCode(200))
      .start();
    // Docker pushes to loopback registries without TLS; "localhost" is one.
    host = `localhost:${registry.getMappedPort(5000)}`;
    tested = await buildAndPush(`${host}/acme/app:candidate`, `release ${Date.now()}\n`);
    promoteVerdict = verdictFile({
      verdict: 'PROMOTE',
      tested: { commit, components: componentsOf(tested) },
    });
  });
  after(async () => {
    await registry?.stop();
    // The images this file built: their tags name a registry port that no longer answers.
    const built = await runCommand('docker', ['images', '-q', '--filter', `reference=${host}/*/*`]);
    const ids = [...new Set(built.stdout.split('\n').filter(Boolean))];
    if (ids.length > 0) await runCommand('docker', ['image', 'rm', '-f', ...ids]);
  });

  it('tags production with exactly the tested digest, in the same repository and in another', async () => {
    const testedDigest = tested.repoDigests
      .find((entry) => entry.startsWith(`${host}/acme/app@`))
      ?.split('@')[1];
    assert.ok(testedDigest, `the push recorded a registry digest: ${tested.repoDigests.join(', ')}`);
    const dry = await promote(promoteVerdict, '--dry-run');
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.match(dry.stdout, /would tag/);
    assert.equal(await digestOf('acme/app', 'prod'), null, 'a dry run tags nothing');

    const promoted = await promote(promoteVerdict);
    assert.equal(promoted.code, 0, promoted.stdout + promoted.stderr);
    assert.match(promoted.stdout, /PROMOTED/);
    assert.equal(await digestOf('acme/app', 'prod'), testedDigest);

    const elsewhere = await runMesE2e(
      [
        'promote',
        '--verdict',
        promoteVerdict,
        '--to',
        `app=${host}/releases/app:1.4.0`,
        '--commit',
        commit.slice(0, 12),
      ],
      { cwd: tmpdir(), env },
    );
    assert.equal(elsewhere.code, 0, elsewhere.stdout + elsewhere.stderr);
    assert.equal(await digestOf('releases/app', '1.4.0'), testedDigest, 'blobs mounted, the same manifest');
  });

  it('refuses a BLOCK, a compromised run and a verdict of another commit, and leaves production as it was', async () => {
    const before = await digestOf('acme/app', 'prod');
    const cases = [
      {
        verdict: verdictFile({
          verdict: 'BLOCK',
          reasons: ['2 scenarios failed'],
          tested: { commit, components: componentsOf(tested) },
        }),
        code: 1,
        reason: /the verdict is BLOCK: 2 scenarios failed/,
      },
      {
        verdict: verdictFile({
          verdict: 'BLOCK',
          compromised: ['rabbitmq is not ready at the end of the run'],
          tested: { commit, components: componentsOf(tested) },
        }),
        code: 3,
        reason: /the run was compromised: rabbitmq is not ready/,
      },
      {
        verdict: verdictFile({
          verdict: 'PROMOTE',
          tested: { commit: 'd'.repeat(40), components: componentsOf(tested) },
        }),
        code: 1,
        reason: /the verdict is for commit d{40}, not for c0ffee/,
      },
    ];
    for (const { verdict, code, reason } of cases) {
      const refused = await promote(verdict);
      assert.equal(refused.code, code, refused.stdout + refused.stderr);
      assert.match(refused.stdout, reason);
      assert.match(refused.stdout, /NOT PROMOTED: every production tag is unchanged/);
    }
    assert.equal(await digestOf('acme/app', 'prod'), before);
  });

  it('refuses a candidate rebuilt after the run: another digest than the one tested', async () => {
    const before = await digestOf('acme/app', 'prod');
    const rebuilt = await buildAndPush(`${host}/acme/app:candidate`, `rebuilt ${Date.now()}\n`);
    assert.notEqual(rebuilt.imageId, tested.imageId);
    const refused = await promote(promoteVerdict);
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.match(
      refused.stdout,
      new RegExp(`the run tested image ${tested.imageId}.*rebuilt or pushed again after the run`),
    );
    assert.equal(await digestOf('acme/app', 'prod'), before);
  });

  it('says what is wrong with its input: exit 2', async () => {
    const notAVerdict = verdictFile({ format: 'something-else' });
    const bad = await promote(notAVerdict);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /is not a verdict of mes-e2e: format/);
    const noCommit = await runMesE2e(
      ['promote', '--verdict', promoteVerdict, '--to', `app=${host}/acme/app:prod`],
      {
        cwd: tmpdir(),
        env,
      },
    );
    assert.equal(noCommit.code, 2);
    assert.match(noCommit.stderr, /neither --commit nor GITHUB_SHA/);
    const badTarget = await promote(promoteVerdict, '--to', 'pricing');
    assert.equal(badTarget.code, 2);
    assert.match(badTarget.stderr, /--to pricing: expected <component>=/);
  });
});
