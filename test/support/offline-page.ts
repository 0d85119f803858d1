// A report file opened as a reader opens a CI artifact: from file://, in a Chromium that may reach
// nothing else; every request the page makes is kept, allowed or not.
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright';

export async function openOffline(
  browser: Browser,
  path: string,
): Promise<{ page: Page; requested: string[] }> {
  const file = pathToFileURL(path).href;
  const requested: string[] = [];
  const page = await browser.newPage();
  page.on('request', (request) => requested.push(request.url()));
  await page.route('**', (route) =>
    route.request().url() === file ? route.continue() : route.abort('blockedbyclient'),
  );
  await page.goto(file, { waitUntil: 'load' });
  return { page, requested };
}
