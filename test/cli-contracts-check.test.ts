// `mes-e2e contracts check` through the real executable: the shipped documents pass; a breaking change
// blocks unless info.version's major number went up; a document that does not parse is exit 2 with its
// file, line and column; --since reads each document's version at a git revision.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, runMesE2e } from './support/run-cli.ts';

const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' };
const crmOpenApi = join(repoRoot, 'services/crm/openapi.json');
const busAsyncApi = join(repoRoot, 'services/asyncapi.yaml');
const tempDir = () => mkdtempSync(join(tmpdir(), 'mes-e2e-contracts-check-'));

/** The CRM's document with an edit, written into `dir`. */
// biome-ignore lint/suspicious/noExplicitAny: the tests edit the document freely, at any depth
type Editable = Record<string, any>;

function crmWith(dir: string, name: string, edit: (document: Editable) => void): string {
  const document = JSON.parse(readFileSync(crmOpenApi, 'utf8'));
  edit(document);
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(document, null, 2));
  return file;
}

const withoutGetV1 = (document: Editable) => {
  delete document.paths['/v1/orders/{id}'];
};

describe('mes-e2e contracts check', () => {
  it("passes the reference stack's documents, each named by its key", async () => {
    const result = await runMesE2e(['contracts', 'check'], { cwd: tempDir(), env });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    for (const key of ['contracts.openapi.crm', 'contracts.openapi.mes', 'contracts.asyncapi'])
      assert.match(result.stdout, new RegExp(`^${key.replaceAll('.', '\\.')} \\(default\\): `, 'm'));
    assert.match(result.stdout, /^PASS$/m);
  });

  it("passes the second pipeline's documents, from its configuration", async () => {
    const cwd = join(repoRoot, 'test/fixtures/second-pipeline');
    const result = await runMesE2e(['contracts', 'check', '--json'], { cwd, env });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const output = JSON.parse(result.stdout);
    assert.equal(output.verdict, 'pass');
    assert.deepEqual(
      output.documents.map((document: { key: string }) => document.key),
      ['contracts.openapi.storefront', 'contracts.openapi.plant', 'contracts.asyncapi'],
    );
  });

  it('finds no breaking change between a document and itself', async () => {
    const result = await runMesE2e(['contracts', 'check', crmOpenApi, '--previous', crmOpenApi], { env });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /0 breaking change\(s\) since services\/crm\/openapi\.json/);
  });

  it('blocks a removed operation under the same major version (exit 1), naming it', async () => {
    const dir = tempDir();
    const next = crmWith(dir, 'openapi.json', withoutGetV1);
    const result = await runMesE2e(['contracts', 'check', next, '--previous', crmOpenApi], { env });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      /openapi\.json {2}breaking {2}operation-removed {2}GET \/v1\/orders\/\{id\}: .*\(#\/paths\/~1v1~1orders~1\{id\}\/get\)/,
    );
    assert.match(result.stdout, /without a new major info\.version \(2\.0\.0 -> 2\.0\.0\)/);
    assert.match(result.stdout, /raise the major number of the document's info\.version/);
    assert.match(result.stdout, /^BLOCK$/m);
  });

  it('lets the same change through when info.version has a new major number (exit 0), listing it', async () => {
    const dir = tempDir();
    const next = crmWith(dir, 'openapi.json', (document) => {
      withoutGetV1(document);
      document.info.version = '3.0.0';
    });
    const result = await runMesE2e(['contracts', 'check', next, '--previous', crmOpenApi, '--json'], { env });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const [document] = JSON.parse(result.stdout).documents;
    assert.equal(document.comparison.newMajorVersion, true);
    assert.deepEqual(
      document.comparison.breaking.map(
        (change: { rule: string; where: string }) => `${change.rule} ${change.where}`,
      ),
      ['operation-removed GET /v1/orders/{id}'],
    );
  });

  it('fails on a lint error (exit 1): two operations with one operationId', async () => {
    const dir = tempDir();
    const file = crmWith(dir, 'openapi.json', (document) => {
      document.paths['/v2/orders'].post.operationId = 'placeOrderV1';
    });
    const result = await runMesE2e(['contracts', 'check', file], { env });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      /openapi\.json:\d+:\d+ {2}error {2}operation-operationId-unique {2}.*unique "operationId".*\(#\/paths\/~1v2~1orders\/post\/operationId\)/,
    );
  });

  it('a document that does not parse is exit 2 with its file, line and column', async () => {
    const dir = tempDir();
    const file = join(dir, 'bus.yaml');
    writeFileSync(file, 'asyncapi: 3.0.0\ninfo:\n  title: [broken\n  version: 1.0.0\n');
    const result = await runMesE2e(['contracts', 'check', file], { env });
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(result.stderr, new RegExp(`${file.replaceAll('.', '\\.')} is not valid YAML`));
    assert.match(result.stderr, new RegExp(`${file.replaceAll('.', '\\.')}:\\d+:\\d+: `));
  });

  it('a document that parses but is not valid OpenAPI 3 is exit 2 naming the key; a missing file too', async () => {
    const dir = tempDir();
    const file = crmWith(dir, 'openapi.json', (document) => {
      document.paths['/v2/orders'].post.responses = 'none';
    });
    const invalid = await runMesE2e(['contracts', 'check', file], { env });
    assert.equal(invalid.code, 2, invalid.stdout + invalid.stderr);
    assert.match(invalid.stderr, /is not a valid OpenAPI 3 document/);
    assert.match(invalid.stderr, /openapi\.json:\d+:\d+: #\/paths\/~1v2~1orders\/post\/responses /);
    const missing = await runMesE2e(['contracts', 'check', join(dir, 'nothing.yaml')], { env });
    assert.equal(missing.code, 2, missing.stdout + missing.stderr);
    assert.match(missing.stderr, /nothing\.yaml cannot be read/);
  });

  it('--since compares each document with its version at a git revision; a new one is new', async () => {
    const repo = tempDir();
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo });
    git('init', '--quiet');
    copyFileSync(busAsyncApi, join(repo, 'asyncapi.yaml'));
    git('add', '.');
    git('commit', '--quiet', '-m', 'the bus');
    const text = readFileSync(join(repo, 'asyncapi.yaml'), 'utf8');
    // An operation goes: the applications that relied on it are left without.
    const removed = text.replace(/\n {2}deadLetterPricingResult:[\s\S]*?(?=\n\ncomponents:)/, '');
    assert.notEqual(removed, text, 'the test needs a new anchor in services/asyncapi.yaml');
    writeFileSync(join(repo, 'asyncapi.yaml'), removed);
    const plant = join(repoRoot, 'test/fixtures/second-pipeline/plant.openapi.json');
    copyFileSync(plant, join(repo, 'plant.openapi.json'));

    const result = await runMesE2e(
      ['contracts', 'check', 'asyncapi.yaml', 'plant.openapi.json', '--since', 'HEAD'],
      {
        cwd: repo,
        env,
      },
    );
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      /operation-removed {2}operation deadLetterPricingResult: operation deadLetterPricingResult \(send\) was removed/,
    );
    assert.match(result.stdout, /since HEAD:asyncapi\.yaml/);
    assert.match(result.stdout, /new since HEAD:plant\.openapi\.json: nothing to compare/);

    const unknown = await runMesE2e(['contracts', 'check', 'asyncapi.yaml', '--since', 'no-such-ref'], {
      cwd: repo,
      env,
    });
    assert.equal(unknown.code, 2, unknown.stdout + unknown.stderr);
    assert.match(unknown.stderr, /--since: no commit "no-such-ref"/);
  });
});
