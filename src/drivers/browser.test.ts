// Which Chromium the dashboard steps launch: the configured one, or the system's; a wrong path is
// an error naming it and what to do.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ChromiumNotFoundError, findChromium } from './browser.ts';

describe('findChromium', () => {
  it('takes the configured executable when it exists', async () => {
    assert.equal(await findChromium(process.execPath), process.execPath);
  });

  it('refuses a configured path that does not exist, naming it and the variable', async () => {
    await assert.rejects(findChromium('/nowhere/chromium'), (error: unknown) => {
      assert.ok(error instanceof ChromiumNotFoundError);
      assert.match(error.problem, /\/nowhere\/chromium does not exist/);
      assert.match(error.fix, /MES_E2E_CHROMIUM/);
      return true;
    });
  });

  it("finds the system's Chromium when none is configured", async () => {
    // npm run setup installs Debian's chromium (another machine may have Chrome): one must be found.
    const found = await findChromium(undefined);
    assert.ok(existsSync(found), found);
  });
});
