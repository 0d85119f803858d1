// bin/mes-e2e started by a Node older than package.json's engines (the machine's Node after
// `npm run setup`): it runs itself again under the Node that setup fetched, or says what to do.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { binPath, repoRoot, runCommand } from './support/run-cli.ts';

const { engines, version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  engines: { node: string };
  version: string;
};

function tooOld(node: string): boolean {
  const [needMajor = 0, needMinor = 0] = (/(\d+)\.(\d+)/.exec(engines.node) ?? []).slice(1).map(Number);
  const [major = 0, minor = 0] = execFileSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' })
    .trim()
    .split('.')
    .map(Number);
  return major < needMajor || (major === needMajor && minor < needMinor);
}

/** A Node on this machine that engines refuse (Debian's is 20), if there is one. */
const oldNode = ['/usr/bin/node', '/usr/local/bin/node'].find((node) => existsSync(node) && tooOld(node));

/** A folder laid out as scripts/node24 leaves its cache, holding the Node that runs this test. */
function fetchedNodeHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'mes-e2e-node-home-'));
  mkdirSync(join(home, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(process.execPath, join(home, 'node_modules', '.bin', 'node'));
  return home;
}

describe('mes-e2e on a Node older than its engines', {
  skip: oldNode ? false : 'no Node older than the engines here',
}, () => {
  const node = oldNode ?? 'node';
  const env = (home: string) => ({
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/tmp',
    MES_E2E_NODE_HOME: home,
  });

  it('runs under the Node that setup fetched, with the exit code of the command', async () => {
    const home = fetchedNodeHome();
    const versionResult = await runCommand(node, [binPath, '--version'], { env: env(home) });
    assert.equal(versionResult.code, 0, versionResult.stderr);
    assert.equal(versionResult.stdout.trim(), version);
    // A BLOCK (exit 1) comes back as 1, not as the old "needs a newer Node" exit 2.
    const blocked = await runCommand(
      node,
      [binPath, 'gate', '--results', join(home, 'none.ndjson'), '--json', '--out', home],
      {
        env: env(home),
      },
    );
    assert.equal(blocked.code, 1, blocked.stderr);
    assert.equal((JSON.parse(blocked.stdout) as { verdict: string }).verdict, 'BLOCK');
  });

  it('says to run npm run setup when no newer Node was fetched, and exits 2', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'mes-e2e-node-home-'));
    const result = await runCommand(node, [binPath, '--version'], { env: env(empty) });
    assert.equal(result.code, 2);
    assert.match(result.stderr, new RegExp(`needs Node\\.js ${engines.node.replace('.', '\\.')}`));
    assert.match(result.stderr, /npm run setup/);
    assert.ok(result.stderr.includes(empty), 'names the folder it looked in');
  });
});
