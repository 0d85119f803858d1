// Takes docs/dashboard.png: the MES dashboard with live data from the reference pipeline (orders
// placed through the CRM, pricing slowed so that a backlog shows, one poison message dead-lettered).
//   scripts/node24 node scripts/dashboard-screenshot.ts [--out docs/dashboard.png]
import { parseArgs } from 'node:util';
import { startPipeline } from '../bench/pipeline-environment.ts';
import { launchChromium } from '../src/drivers/browser.ts';
import { createCrmClient } from '../src/drivers/crm-client.ts';
import { openDashboard } from '../src/drivers/dashboard-page.ts';
import { httpBaseUrlOf } from '../src/drivers/endpoints.ts';

const { values: args } = parseArgs({ options: { out: { type: 'string', default: 'docs/dashboard.png' } } });

// Pricing slowed down, so that a backlog builds up while the orders are placed.
const pipeline = await startPipeline({ pricing: { PRICING_COST_MS: '300' } });
const { endpoints } = pipeline.record;
const apiKey = (name: string) => endpoints.apiKeys.find((k) => k.name === name)?.key;
const browser = await launchChromium();
const bus = await pipeline.observeBus();
try {
  const crm = createCrmClient(httpBaseUrlOf(endpoints, 'crm'));
  const dashboard = await openDashboard(browser, httpBaseUrlOf(endpoints, 'mes'));
  await dashboard.open();
  const skus = ['LAMP', 'CHAIR-OAK', 'DESK-OAK'];
  const place = async (i: number) => {
    const b2c = i % 3 === 0;
    const response = await crm.placeOrder({
      version: 'v2',
      apiKey: apiKey(b2c ? 'b2c-web' : 'b2b-portal'),
      body: {
        customer: { id: b2c ? `shopper-${i % 17}` : `company-${i % 5}` },
        lines: [{ sku: skus[i % skus.length] ?? 'LAMP', quantity: 1 + (i % 4) }],
        currency: 'EUR',
      },
    });
    if (response.status !== 201) throw new Error(`CRM answered ${response.status}`);
  };
  process.stderr.write('placing orders...\n');
  for (let i = 0; i < 80; i++) await place(i);
  await bus.publish('orders', 'order.created.b2b', Buffer.from('{"orderId": 42}'), { messageId: 'poison' });
  // Some priced, a backlog still queued, one dead letter: the picture of a pipeline at work. The
  // management API's figures lag a few seconds behind, so wait until the panel's tables agree.
  await dashboard.waitForQueue('mes.orders.dead', (queue) => queue.messages === 1, {
    within: 30_000,
    description: 'the poison message dead-lettered',
  });
  const inPricing = async () => {
    const counts = await dashboard.table('Order counts');
    const row = counts.find(([state]) => state === 'Pricing') ?? [];
    return Number(row[1]) + Number(row[2]);
  };
  await dashboard.waitForQueue('pricing.requests', (queue) => queue.messages >= 10 && queue.messages < 60, {
    within: 30_000,
    description: 'a pricing backlog being worked off',
  });
  if ((await inPricing()) < 10)
    throw new Error('the backlog drained before the screenshot; slow pricing down');
  await dashboard.page.screenshot({ path: args.out, fullPage: true });
  process.stderr.write(`wrote ${args.out}\n`);
  await dashboard.close();
} finally {
  await bus.close();
  await browser.close();
  await pipeline.stop();
}
