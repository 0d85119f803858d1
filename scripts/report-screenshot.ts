// Takes docs/report-failed-run.png: the one-page report (report.html) of a real failed run, as a QA
// lead opens it from the CI artifact. The reference stack runs its @smoke scenarios with pricing
// dropping every B2B request, so one order stops before pricing.completed and the run BLOCKs.
//   scripts/node24 node scripts/report-screenshot.ts [--out docs/report-failed-run.png]
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { launchChromium } from '../src/drivers/browser.ts';
import { openOffline } from '../test/support/offline-page.ts';

const { values: args } = parseArgs({
  options: { out: { type: 'string', default: 'docs/report-failed-run.png' } },
});
const bin = fileURLToPath(new URL('../bin/mes-e2e', import.meta.url));

const project = mkdtempSync(join(tmpdir(), 'mes-e2e-report-screenshot-'));
const broken = { components: { pricing: { source: 'container', env: { PRICING_FAULT: 'drop-b2b' } } } };
writeFileSync(join(project, 'mes-e2e.config.json'), JSON.stringify(broken));
process.stderr.write(`running the @smoke scenarios with pricing dropping B2B requests, in ${project}...\n`);
const ran = await promisify(execFile)(process.execPath, [bin, 'run', '--tags', '@smoke', '--json'], {
  cwd: project,
  timeout: 600_000,
}).catch((error: { code?: number; stdout?: string; stderr?: string }) => {
  // A BLOCK is exit 1: the run this picture is about.
  if (error.code === 1 && error.stdout) return { stdout: error.stdout };
  throw new Error(`mes-e2e run exited ${error.code}: ${error.stderr?.slice(-2000)}`);
});
const { verdict, reports } = JSON.parse(ran.stdout) as { verdict: string; reports: string };
if (verdict !== 'BLOCK') throw new Error(`the run was meant to BLOCK, and gave ${verdict}`);

const browser = await launchChromium();
try {
  const { page } = await openOffline(browser, join(reports, 'report.html'));
  await page.setViewportSize({ width: 1280, height: 1750 });
  // The verdict, its reasons and the stopped order's journey picture and table, in one frame.
  await page.screenshot({ path: args.out });
  process.stderr.write(`wrote ${args.out} (from ${join(reports, 'report.html')})\n`);
} finally {
  await browser.close();
}
