// The repository stands on its own: no test, script or source reads a path outside it (a clone on
// a user's machine has nothing beside it). The one exception is setup's offline image build for
// machines without a registry, which is optional and named by MES_E2E_OFFLINE_IMAGES.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const ignoredDirs = new Set(['node_modules', '.git', 'reports', 'dist']);
const textFile =
  /\.(ts|js|mjs|cjs|json|sh|ya?ml|md|feature|tsv|sql|html|css)$|^(Dockerfile|run|node24|mes-e2e)$/;

/** A path that climbs out of the checkout into a folder beside it, or an absolute path of this machine. */
const outside = /(?:\.\.\/)+shared\b|\/work\/shared\b|\.\.\/\.\.\/\.\.\/[a-z]/;

/** Where a path beside the checkout is allowed, and why. */
const allowed: ReadonlyArray<[file: string, line: RegExp]> = [
  ['scripts/setup.sh', /shared\/tools\/offline-images\.sh/],
  ['README.md', /shared\/tools\/offline-images\.sh/],
  // This file names what it forbids.
  ['test/self-contained.test.ts', /./],
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return ignoredDirs.has(entry.name) ? [] : filesUnder(path);
    return textFile.test(entry.name) ? [path] : [];
  });
}

/** Lines of one file (relative to the root) that name a path outside the checkout. */
function linesOutside(file: string, text: string): string[] {
  return text
    .split('\n')
    .flatMap((line, index) =>
      outside.test(line) && !allowed.some(([name, ok]) => name === file && ok.test(line))
        ? [`${file}:${index + 1}: ${line.trim()}`]
        : [],
    );
}

describe('the repository stands on its own', () => {
  it("no file but setup's optional offline image build names a path beside the checkout", () => {
    const files = filesUnder(root);
    assert.ok(files.length > 100, `only ${files.length} files found under ${root}`);
    const found = files.flatMap((path) => linesOutside(relative(root, path), readFileSync(path, 'utf8')));
    assert.deepEqual(found, []);
  });

  it('the check finds a test that reads the compatibility kit from beside the checkout', () => {
    // The form the gate tests had before the kit came from its npm package.
    const before = "const CCK = new URL('../../../shared/testdata/cucumber-cck/', import.meta.url);";
    assert.equal(linesOutside('src/gate/verdict.test.ts', `// gate\n${before}\n`).length, 1);
    assert.equal(
      linesOutside('scripts/setup.sh', 'cat ../shared/testdata/cucumber-cck/x.ndjson\n').length,
      1,
    );
    assert.equal(linesOutside('scripts/setup.sh', 'bash ../shared/tools/offline-images.sh\n').length, 0);
  });
});
