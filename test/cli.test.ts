// The mes-e2e executable answers --version and --help, and turns usage errors into exit code 2.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { repoRoot, runMesE2e } from './support/run-cli.ts';

const { version } = JSON.parse(readFileSync(`${repoRoot}/package.json`, 'utf8')) as { version: string };

describe('mes-e2e executable', () => {
  it('prints the package version for --version and exits 0', async () => {
    const result = await runMesE2e(['--version']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), version);
  });

  it('prints usage with the options for --help and exits 0', async () => {
    const result = await runMesE2e(['--help']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Usage: mes-e2e/m);
    assert.match(result.stdout, /--version/);
  });

  it('rejects an unknown option with exit code 2 and names the option', async () => {
    const result = await runMesE2e(['--no-such-flag']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown option '--no-such-flag'/);
    assert.match(result.stderr, /mes-e2e --help/);
  });
});
