// The mes-e2e executable answers --version and --help, and turns usage errors into exit code 2.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { binPath, repoRoot, runMesE2e } from './support/run-cli.ts';

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

  // A pipeline step killed mid-run leaves mes-e2e writing into closed pipes. It once answered the
  // stderr EPIPE with a crash report on stderr, which failed again, and spun at full CPU for minutes.
  it('exits promptly when the reader of both its outputs has gone', async () => {
    const child = spawn(process.execPath, [binPath, '--no-such-flag'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    child.stderr.destroy();
    const deadline = AbortSignal.timeout(20_000);
    const [code] = (await once(child, 'exit', { signal: deadline }).catch((error: unknown) => {
      child.kill('SIGKILL');
      throw new Error(`mes-e2e still running 20 s after its reader went away: ${String(error)}`);
    })) as [number | null];
    assert.equal(code, 2, 'the usage error keeps its exit code when nobody reads it');
  });
});
