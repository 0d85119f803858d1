// Scheduling and bookkeeping around scenarios: @destructive and @alone scenarios run alone, each order's
// journey is attached to its scenario (as data, a picture and a table), and the worker's bus
// observer is closed at the end.
import { After, AfterAll, Before, Status, setParallelCanAssign } from '@cucumber/cucumber';
import { runsAlone } from '../../src/config/alone.ts';
import { journeyFileName } from '../../src/journey/attached-journey.ts';
import { journeyBudgetsOf } from '../../src/journey/timeline.ts';
import { journeySvg } from '../../src/journey/timeline-svg.ts';
import { journeyTableHtml } from '../../src/journey/timeline-table.ts';
import { closeWorkerBrowser } from './browser.ts';
import { diagnose } from './diagnosis.ts';
import { journeyNow } from './journey.ts';
import { waitsUpTo } from './timeouts.ts';
import { keepUiEvidence } from './ui-evidence.ts';
import { closeWorkerBus, type MesWorld } from './world.ts';

/** What restoring a scenario's breakage may take: a component or two back to ready, extras removed. */
const restoreWithinMs = 150_000;

// Synchronous both ways (CUCUMBER.md): a scenario that runs alone starts only on an idle run, and
// nothing starts beside a running one. Retries stay with their scenario's assignment, so they obey it too.
setParallelCanAssign((candidate, running) =>
  runsAlone(candidate) ? running.length === 0 : !running.some(runsAlone),
);

// Watching starts before the scenario's first step, so no message of its orders can pass unseen.
Before(async function (this: MesWorld) {
  await this.bus();
});

// Restoring waits for each broken component to be ready again (up to a minute each), then diagnoses.
After(waitsUpTo(restoreWithinMs), async function (this: MesWorld, { result, pickle }) {
  // The page first, as it was when the scenario ended: nothing has been put back yet.
  const dashboard = await this.usedDashboard()?.catch(() => undefined);
  if (dashboard) await keepUiEvidence(this, dashboard, pickle, result?.status === Status.FAILED);
  // Then put back what the scenario broke: the diagnosis and the next scenario need a whole pipeline.
  const restored = await this.usedChaos()?.restoreAll();
  if (restored && restored.length > 0) this.log(`restored after the scenario: ${restored.join(', ')}`);
  if (result?.status === Status.FAILED) {
    const diagnosis = await diagnose(this);
    await this.attach(JSON.stringify(diagnosis, null, 2), {
      mediaType: 'application/json',
      fileName: 'diagnosis.json',
    });
  }
  await this.usedDatabase()?.close();
  // Orders a failed scenario left arriving: the journeys below are of every order it placed.
  await this.arrivals?.catch(() => {});
  if (this.orders.length === 0) return;
  const bus = (await this.bus()).seen();
  const journeys = await Promise.all(
    this.orders.map(async (order) => ({
      orderId: order.id ?? `(rejected: ${order.answer.status})`,
      customerId: order.customerId,
      segment: order.segment,
      ...(await journeyNow(this, order, bus)),
    })),
  );
  await this.attach(JSON.stringify(journeys, null, 2), {
    mediaType: 'application/json',
    fileName: journeyFileName,
  });
  // The same journeys to look at: a picture (base64, or cucumber.html would not show it) and its text twin.
  const budgets = journeyBudgetsOf(this.parameters.budgets ?? [], journeys);
  await this.attach(Buffer.from(journeySvg(journeys, { budgets })), {
    mediaType: 'image/svg+xml',
    fileName: 'journey.svg',
  });
  await this.attach(journeyTableHtml(journeys), { mediaType: 'text/html', fileName: 'journey-table.html' });
});

AfterAll(async () => {
  await Promise.all([closeWorkerBus(), closeWorkerBrowser()]);
});
