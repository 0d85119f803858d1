// A configuration whose contracts cannot be used stops the command before anything starts: exit 2,
// naming the configuration file, the key and the document.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runMesE2e } from './support/run-cli.ts';

const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };

function folderWithBadAsyncApi(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mes-e2e-cli-contracts-'));
  writeFileSync(join(dir, 'mes-e2e.config.json'), JSON.stringify({ contracts: { asyncapi: 'bus.yaml' } }));
  writeFileSync(join(dir, 'bus.yaml'), 'asyncapi: 3.0.0\ninfo: {title: broken\n');
  return dir;
}

describe('mes-e2e with a bad AsyncAPI document', () => {
  it('env up exits 2 naming the file before it asks Docker for anything', async () => {
    const cwd = folderWithBadAsyncApi();
    const result = await runMesE2e(['env', 'up', '--profile', 'containers'], {
      cwd,
      // No engine answers here: an exit 3 would mean the command got as far as starting things.
      env: { ...baseEnv, DOCKER_HOST: 'tcp://127.0.0.1:1' },
    });
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(result.stderr, new RegExp(`configuration error in ${join(cwd, 'mes-e2e.config.json')}`));
    assert.match(
      result.stderr,
      new RegExp(`contracts\\.asyncapi: ${join(cwd, 'bus.yaml')} is not a valid AsyncAPI document`),
    );
    assert.doesNotMatch(result.stderr, /Docker/);
  });

  it('config shows the reference contracts and journey when the configuration names none', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'mes-e2e-cli-contracts-'));
    const result = await runMesE2e(['config', '--profile', 'containers'], { cwd, env: baseEnv });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /contracts: +AsyncAPI .*services\/asyncapi\.yaml; OpenAPI crm .*crm\/openapi\.json/,
    );
    assert.match(
      result.stdout,
      /journey: +CRM answered \(crm\) -> order\.created on the bus \(crm\) -> .* -> MES shows the price \(mes\)/,
    );
  });
});
