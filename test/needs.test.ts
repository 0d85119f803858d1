// A test file that needs a browser (or Docker) it cannot find is skipped with the reason, except under
// CI=true, where it fails: a green CI never hides a test that did not run.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { inCi, skipWhenMissing } from './support/needs.ts';
import { runCommand } from './support/run-cli.ts';

/** A test file that needs a Chromium, as the dashboard tests do. */
function fileNeedingChromium(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mes-e2e-needs-'));
  const needs = pathToFileURL(join(import.meta.dirname, 'support', 'needs.ts')).href;
  const file = join(dir, 'needs-chromium.test.ts');
  writeFileSync(
    file,
    [
      "import { describe, it } from 'node:test';",
      `import { chromiumMissing, skipWhenMissing } from '${needs}';`,
      "const skip = skipWhenMissing('browser tests', await chromiumMissing());",
      "describe('browser tests', { skip }, () => { it('opens a page', () => {}); });",
      '',
    ].join('\n'),
  );
  return file;
}

/** Runs that file where no Chromium can be found: the configured one does not exist. */
const runWithoutChromium = (file: string, ci: Record<string, string>) =>
  runCommand(process.execPath, ['--test', '--test-reporter=tap', file], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      MES_E2E_CHROMIUM: '/nowhere/chromium',
      ...ci,
    },
  });

describe('a test that needs what the machine lacks', () => {
  it('is skipped with the reason outside CI', async () => {
    const result = await runWithoutChromium(fileNeedingChromium(), { CI: 'false' });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^ok 1 - browser tests # SKIP/m);
    assert.match(
      result.stdout,
      /browser tests skipped: needs a Chromium: .*\/nowhere\/chromium does not exist/,
    );
  });

  it('fails the file under CI=true, naming what is missing', async () => {
    const result = await runWithoutChromium(fileNeedingChromium(), { CI: 'true' });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /# fail 1/);
    assert.match(
      result.stdout,
      /browser tests cannot run: needs a Chromium: .*\/nowhere\/chromium does not exist/,
    );
    assert.match(result.stdout, /Under CI=true a test never skips/);
  });

  it('reads CI as GitHub Actions and most CI systems set it', () => {
    assert.equal(inCi({ CI: 'true' }), true);
    assert.equal(inCi({ CI: '1' }), true);
    assert.equal(inCi({ CI: 'false' }), false);
    assert.equal(inCi({}), false);
    assert.equal(skipWhenMissing('x', undefined, { CI: 'true' }), false);
  });
});
