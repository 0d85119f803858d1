// Benchmark of the MES dashboard with a big order history: the first render of the orders view
// (navigation until its rows are visible) in Chromium, and the /api/orders first page, with 100k
// orders in the database. Not a test: it prints figures and writes bench/dashboard-results.json.
//   npm run bench:dashboard -- --orders 100000 --renders 7 --requests 200
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { launchChromium } from '../src/drivers/browser.ts';
import { databaseOf, httpBaseUrlOf } from '../src/drivers/endpoints.ts';
import { statistic } from '../src/gate/figures.ts';
import { seedMesOrders } from '../test/support/seed-orders.ts';
import { machine } from './machine.ts';
import { startPipeline } from './pipeline-environment.ts';

const { values: args } = parseArgs({
  options: {
    orders: { type: 'string', default: '100000' },
    renders: { type: 'string', default: '7' },
    requests: { type: 'string', default: '200' },
  },
});
const orders = Number(args.orders);
const renders = Number(args.renders);
const requests = Number(args.requests);

const round = (ms: number) => Math.round(ms * 10) / 10;

const pipeline = await startPipeline();
const { endpoints } = pipeline.record;
const mesUrl = httpBaseUrlOf(endpoints, 'mes');
const db = new pg.Client({ connectionString: databaseOf(endpoints).databaseUrl });
await db.connect();
const browser = await launchChromium();
try {
  process.stderr.write(`seeding ${orders} orders...\n`);
  await seedMesOrders(db, orders);

  /** Each render in a fresh context: no cache, no open connections, as a person opening the page. */
  async function firstRender(): Promise<number> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const started = performance.now();
    await page.goto(mesUrl);
    await page.getByRole('table', { name: 'Orders', exact: true }).getByRole('row').nth(50).waitFor();
    const elapsed = performance.now() - started;
    await context.close();
    return elapsed;
  }
  process.stderr.write(`measuring ${renders} first renders...\n`);
  const renderMs: number[] = [];
  for (let i = 0; i < renders; i++) renderMs.push(await firstRender());

  async function answerTimes(path: string, count = requests): Promise<number[]> {
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      const response = await fetch(`${mesUrl}${path}`);
      await response.json();
      if (!response.ok) throw new Error(`MES answered ${response.status} to ${path}`);
      times.push(performance.now() - started);
    }
    return times;
  }
  const queries = [
    'limit=50',
    'limit=50&status=priced',
    'limit=50&segment=b2c',
    'limit=50&customer=customer-42',
  ];
  process.stderr.write(`measuring ${requests} first pages per filter...\n`);
  const api: Array<{ query: string; p50: number; p95: number }> = [];
  for (const query of queries) {
    const times = await answerTimes(`/api/orders?${query}`);
    api.push({ query, p50: round(statistic(times, 'p50')), p95: round(statistic(times, 'p95')) });
  }

  // What the analytics panel polls every two seconds: it counts every order by state and segment.
  const metricsTimes = await answerTimes('/api/metrics', 50);
  const metricsMs = {
    p50: round(statistic(metricsTimes, 'p50')),
    p95: round(statistic(metricsTimes, 'p95')),
  };

  const result = {
    date: new Date().toISOString(),
    machine: machine(),
    settings: { orders, renders, requests, chromium: browser.version() },
    firstRenderMs: {
      first: round(renderMs[0] ?? Number.NaN),
      p50: round(statistic(renderMs, 'p50')),
      max: round(Math.max(...renderMs)),
    },
    apiFirstPageMs: api,
    metricsMs,
  };
  console.log(
    `\nmachine: ${result.machine.cpu}, ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB, Node ${result.machine.node}, Chromium ${result.settings.chromium}`,
  );
  console.log(`orders in MES: ${orders}`);
  console.log(
    `first render of the orders view (navigation -> 50 rows visible), ${renders} fresh contexts: first ${result.firstRenderMs.first} ms, p50 ${result.firstRenderMs.p50} ms, max ${result.firstRenderMs.max} ms`,
  );
  console.log(`/api/orders first page, ${requests} requests each:`);
  for (const row of api) console.log(`  ${row.query.padEnd(32)} p50 ${row.p50} ms  p95 ${row.p95} ms`);
  console.log(
    `/api/metrics (analytics panel), 50 requests: p50 ${metricsMs.p50} ms  p95 ${metricsMs.p95} ms`,
  );
  writeFileSync(new URL('./dashboard-results.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await browser.close();
  await db.end();
  await pipeline.stop();
}
