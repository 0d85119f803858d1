// Benchmark of the reference pipeline: orders/s from CRM to priced in MES, and created-to-priced
// latency percentiles, on real RabbitMQ and PostgreSQL. Not a test: it prints figures, asserts nothing.
//   npm run bench:pipeline -- --orders 1000 --concurrency 16 --pricing-cost-ms 5 --pricing-instances 2
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createCrmClient } from '../src/drivers/crm-client.ts';
import { databaseOf, httpBaseUrlOf } from '../src/drivers/endpoints.ts';
import { startExtraInstance } from '../src/drivers/extra-instances.ts';
import { faultTargetNamed } from '../src/drivers/fault-targets.ts';
import { faultTargetsOf } from '../src/environment/fault-targets.ts';
import { eventually } from '../src/wait/eventually.ts';
import { machine } from './machine.ts';
import { startPipeline } from './pipeline-environment.ts';

const { values: args } = parseArgs({
  options: {
    orders: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '16' },
    'pricing-cost-ms': { type: 'string', default: '5' },
    'pricing-instances': { type: 'string', default: '1' },
  },
});
const orders = Number(args.orders);
const concurrency = Number(args.concurrency);
const pricingInstances = Number(args['pricing-instances']);

// The environment's first-party API keys (b2c-web, b2b-portal) allow 100000 orders per window: the
// rate limit stays out of the way.
const pipeline = await startPipeline({ pricing: { PRICING_COST_MS: args['pricing-cost-ms'] ?? '5' } });
const { endpoints } = pipeline.record;
const apiKey = (name: string) => endpoints.apiKeys.find((k) => k.name === name)?.key;
// The product's scale-out: more pricing processes like the first.
const extraPricing = await Promise.all(
  Array.from({ length: pricingInstances - 1 }, () =>
    startExtraInstance(faultTargetNamed(faultTargetsOf(pipeline.record), 'pricing')),
  ),
);
const db = new pg.Client({ connectionString: databaseOf(endpoints).databaseUrl });
await db.connect();
try {
  const crm = createCrmClient(httpBaseUrlOf(endpoints, 'crm'));
  process.stderr.write(`placing ${orders} orders with ${concurrency} clients...\n`);
  const started = performance.now();
  let next = 0;
  const client = async () => {
    while (next < orders) {
      const i = next++;
      const res = await crm.placeOrder({
        version: 'v2',
        apiKey: apiKey(i % 3 === 0 ? 'b2c-web' : 'b2b-portal'),
        body: {
          customer: { id: `bench-${i % 97}` },
          lines: [{ sku: 'CHAIR-OAK', quantity: 1 + (i % 5) }],
          currency: 'EUR',
        },
      });
      if (res.status !== 201) throw new Error(`CRM answered ${res.status}: ${JSON.stringify(res.body)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const accepted = performance.now();
  await eventually(
    async () => {
      const { rows } = await db.query("select count(*)::int as n from mes.orders where status = 'priced'");
      if (rows[0].n >= orders) return true;
      throw new Error(`${rows[0].n} of ${orders} priced`);
    },
    { within: 600_000, every: 100, maxEvery: 250, description: 'every order priced' },
  );
  const done = performance.now();
  const { rows } = await db.query(`
    select segment, count(*)::int as n,
           round(percentile_cont(0.5) within group (order by extract(epoch from priced_at - created_at) * 1000)) as p50,
           round(percentile_cont(0.95) within group (order by extract(epoch from priced_at - created_at) * 1000)) as p95
      from mes.orders group by rollup (segment) order by segment nulls last`);
  const result = {
    date: new Date().toISOString(),
    machine: machine(),
    settings: { orders, concurrency, pricingCostMs: Number(args['pricing-cost-ms']), pricingInstances },
    crmAcceptedPerSecond: Math.round((orders / (accepted - started)) * 1000),
    pipelineOrdersPerSecond: Math.round((orders / (done - started)) * 1000),
    createdToPricedMs: rows.map((r) => ({
      segment: r.segment ?? 'all',
      orders: r.n,
      p50: Number(r.p50),
      p95: Number(r.p95),
    })),
  };
  console.log(
    `\nmachine: ${result.machine.cpu}, ${result.machine.cores} cores, ${result.machine.memoryGiB} GiB, Node ${result.machine.node}, Docker ${result.machine.docker}`,
  );
  console.log(
    `settings: ${orders} orders, ${concurrency} concurrent clients, pricing ${result.settings.pricingCostMs} ms/order x ${pricingInstances} instance(s)`,
  );
  console.log(`CRM accepted:      ${result.crmAcceptedPerSecond} orders/s`);
  console.log(`through pipeline:  ${result.pipelineOrdersPerSecond} orders/s (placed -> priced in MES)`);
  console.log('created-to-priced:');
  for (const row of result.createdToPricedMs)
    console.log(`  ${row.segment.padEnd(4)} n=${row.orders}  p50=${row.p50} ms  p95=${row.p95} ms`);
  writeFileSync(new URL('./pipeline-results.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await db.end();
  await Promise.all(extraPricing.map((instance) => instance.stop()));
  await pipeline.stop();
}
