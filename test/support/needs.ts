// What a test file needs from the machine (a Docker engine, a Chromium). Missing, the file is skipped
// with the reason; under CI=true it fails instead: a green CI must never hide untested containers,
// faults, cleanup or pages.
import { getContainerRuntimeClient } from 'testcontainers';
import { findChromium } from '../../src/drivers/browser.ts';

/** CI=true (GitHub Actions, .ci/run): every test must really run. */
export const inCi = (env: NodeJS.ProcessEnv = process.env) =>
  env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';

/**
 * The `skip` option for a test file that needs something: false when it is there; the reason when
 * it is missing; throws (failing the file) when it is missing under CI.
 */
export function skipWhenMissing(
  what: string,
  missing: string | undefined,
  env = process.env,
): string | false {
  if (missing === undefined) return false;
  if (inCi(env))
    throw new Error(
      `${what} cannot run: ${missing}. Under CI=true a test never skips for a missing dependency: install it (npm run setup), or run outside CI to skip.`,
    );
  console.log(`# ${what} skipped: ${missing}`);
  return `${what}: ${missing}`;
}

/** Undefined when a Docker engine answers, else why not. */
export async function dockerMissing(): Promise<string | undefined> {
  try {
    await getContainerRuntimeClient();
    return undefined;
  } catch (error) {
    return `needs a Docker engine; none answers (${(error as Error).message.split('\n')[0]})`;
  }
}

/** Undefined when the harness finds a Chromium ($MES_E2E_CHROMIUM or the system's), else why not. */
export async function chromiumMissing(): Promise<string | undefined> {
  try {
    await findChromium();
    return undefined;
  } catch (error) {
    return `needs a Chromium: ${(error as Error).message}`;
  }
}
