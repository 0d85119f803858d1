// The MES order list stays an index scan with 100k orders in the table, for every filter and page.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { type OrderFilters, orderPageQuery } from '../services/mes/src/orders.ts';
import { databaseOf, httpBaseUrlOf } from '../src/drivers/endpoints.ts';
import { createMesClient } from '../src/drivers/mes-client.ts';
import { seedMesOrders } from './support/seed-orders.ts';
import { startTestEnvironment, type TestEnvironment } from './support/test-environment.ts';

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

describe('MES order list at 100k orders', { timeout: 180_000 }, () => {
  let environment: TestEnvironment;
  let db: pg.Client;

  before(async () => {
    environment = await startTestEnvironment(); // MES runs its migrations
    db = new pg.Client({ connectionString: databaseOf(environment.record.endpoints).databaseUrl });
    await db.connect();
    await seedMesOrders(db, 100_000);
  });
  after(async () => {
    await db?.end();
    await environment?.stop();
  });

  // Broad filters must read the index in order (a sort would touch every matching row); a filter
  // as narrow as one customer may sort its few rows after the index found them.
  const filterCases: Array<[string, OrderFilters, { sortAllowed: boolean }]> = [
    ['no filter', {}, { sortAllowed: false }],
    ['status', { status: 'priced' }, { sortAllowed: false }],
    ['segment', { segment: 'b2c' }, { sortAllowed: false }],
    ['customer', { customer: 'customer-42' }, { sortAllowed: true }],
  ];
  for (const [name, filters, { sortAllowed }] of filterCases) {
    for (const paged of [false, true]) {
      it(`plans an index scan for ${name}${paged ? ', after a cursor' : ''}`, async () => {
        const cursor = paged
          ? {
              createdAt: new Date(Date.now() - 50_000_000).toISOString(),
              id: '00000000-0000-0000-0000-000000000000',
            }
          : undefined;
        const query = orderPageQuery(filters, cursor, 50);
        await db.query('set search_path = mes');
        const { rows } = await db.query(`explain (format json) ${query.text}`, query.values);
        const plan = nodes((rows[0]['QUERY PLAN'] as Array<{ Plan: PlanNode }>)[0]?.Plan as PlanNode);
        const types = plan.map((node) => node['Node Type']);
        const indexes = plan.map((node) => node['Index Name']).filter(Boolean);
        assert.ok(
          indexes.some((index) => index?.startsWith('orders_by_')),
          `an orders_by_* index, plan: ${types.join(' > ')}`,
        );
        assert.ok(!types.includes('Seq Scan'), `no seq scan: ${types.join(' > ')}`);
        if (!sortAllowed)
          assert.ok(!types.includes('Sort'), `rows read in index order, no sort: ${types.join(' > ')}`);
      });
    }
  }

  it('pages through a filter over HTTP newest first, with a working cursor', async () => {
    const mes = createMesClient(httpBaseUrlOf(environment.record.endpoints, 'mes'));
    // MES answering anything but 200 fails the call.
    const first = await mes.listOrders({ status: 'priced', limit: 100 });
    assert.equal(first.orders.length, 100);
    const second = await mes.listOrders({
      status: 'priced',
      limit: 100,
      after: first.nextCursor ?? assert.fail('no next page'),
    });
    const times = [...first.orders, ...second.orders].map((o) => Date.parse(o.createdAt));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      'newest first across pages',
    );
    assert.equal(new Set([...first.orders, ...second.orders].map((o) => o.id)).size, 200, 'no repeats');
    await assert.rejects(
      mes.listOrders({ after: 'not-a-cursor' }),
      /answered 400: \{"error":"invalid_cursor"/,
    );
  });
});
