// Finds and launches Chromium for the dashboard steps and tests: the one configured, else the
// system's (Debian's chromium, Chrome), else one Playwright downloaded. Never downloads anything.
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright';

// Playwright is loaded when a browser is needed, not whenever the CLI starts.
const playwright = () => import('playwright');

export const chromiumVariable = 'MES_E2E_CHROMIUM';

const systemChromiums = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

export class ChromiumNotFoundError extends Error {
  readonly problem: string;
  readonly fix: string;
  constructor(problem: string, fix: string) {
    super(`${problem}: ${fix}`);
    this.problem = problem;
    this.fix = fix;
    this.name = 'ChromiumNotFoundError';
  }
}

/** The Chromium to launch: `configured` (or $MES_E2E_CHROMIUM) when given, which must exist. */
export async function findChromium(configured = process.env[chromiumVariable]): Promise<string> {
  if (configured) {
    if (existsSync(configured)) return configured;
    throw new ChromiumNotFoundError(
      `the configured Chromium ${configured} does not exist`,
      `fix the path in ${chromiumVariable}, or leave it unset to use the system's`,
    );
  }
  const downloaded = (await playwright()).chromium.executablePath();
  const found = [...systemChromiums, downloaded].find((path) => existsSync(path));
  if (found) return found;
  throw new ChromiumNotFoundError(
    `no Chromium found (looked in ${systemChromiums.join(', ')} and Playwright's cache)`,
    `install one (Debian: apt-get install chromium; elsewhere: npx playwright install chromium) or give its path in ${chromiumVariable}`,
  );
}

// Headless on a CI machine: no sandbox (containers and root have none), no GPU, and nothing that
// calls out to the internet on its own.
const launchArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function launchChromium(configured?: string): Promise<Browser> {
  const executablePath = await findChromium(configured);
  return (await playwright()).chromium.launch({ executablePath, headless: true, args: launchArgs });
}
