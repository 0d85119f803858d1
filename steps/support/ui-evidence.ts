// What a failed UI scenario leaves behind: a screenshot of the page as it was (attached to the
// scenario) and a Playwright trace of every action (saved under the run's artifacts, its path
// attached). A scenario that passed keeps neither. The page is closed either way.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DashboardPage } from '../../src/drivers/dashboard-page.ts';
import type { MesWorld } from './world.ts';

const fileSafe = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);

export async function keepUiEvidence(
  world: MesWorld,
  dashboard: DashboardPage,
  scenario: { name: string; id: string },
  failed: boolean,
): Promise<void> {
  try {
    await capture(world, dashboard, scenario, failed);
  } catch (error) {
    // Evidence is a help, not a verdict: a page that crashed must not fail or hide the scenario's own result.
    world.log(`could not keep the dashboard's screenshot and trace: ${(error as Error).message}`);
  } finally {
    await dashboard.close().catch(() => {});
  }
}

async function capture(
  world: MesWorld,
  dashboard: DashboardPage,
  scenario: { name: string; id: string },
  failed: boolean,
): Promise<void> {
  if (!failed) {
    await dashboard.context.tracing.stop();
    return;
  }
  const screenshot = await dashboard.page.screenshot({ fullPage: true });
  await world.attach(screenshot, { mediaType: 'image/png', fileName: 'dashboard.png' });
  await mkdir(world.parameters.artifactsDir, { recursive: true });
  const trace = join(
    world.parameters.artifactsDir,
    `${fileSafe(scenario.name)}-${scenario.id.slice(0, 8)}-trace.zip`,
  );
  await dashboard.context.tracing.stop({ path: trace });
  await world.attach(`Playwright trace: ${trace}\nOpen it with: npx playwright show-trace ${trace}`, {
    mediaType: 'text/plain',
    fileName: 'trace.txt',
  });
}
