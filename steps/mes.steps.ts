// MES as an operator uses it: how fast its order list answers while the pipeline is busy, and at the
// seed's scale (a history of 100 000 orders), where only an index keeps every filter fast.
import assert from 'node:assert/strict';
import { type DataTable, Given, Then, When } from '@cucumber/cucumber';
import { createDatabaseProbe, type DatabaseProbe, type TableScans } from '../src/drivers/database-probe.ts';
import { databaseOf } from '../src/drivers/endpoints.ts';
import { seedOrderHistory } from '../src/drivers/mes-history.ts';
import { figuresBody, figuresMediaType, statistic } from '../src/gate/figures.ts';
import { eventually } from '../src/wait/eventually.ts';
import { waitsUpTo } from './support/timeouts.ts';
import type { ListReads, MesWorld } from './support/world.ts';

/** Seeding the history: one insert of generated rows and an analyze, seconds for 100 000 on a laptop. */
const historyWithinMs = 120_000;
/** Other sessions (MES's) report their scans to the statistics when they go idle, within about 10 s. */
const scansReportedWithinMs = 20_000;
const listFilters = ['status', 'segment', 'customer'] as const;

Then(
  'the MES order list answers {int} times with a p95 under {int} ms',
  async function (this: MesWorld, calls: number, budgetMs: number) {
    const timings: number[] = [];
    for (let i = 0; i < calls; i += 1) {
      const began = performance.now();
      const { orders } = await this.mes.listOrders({ limit: 50, ...(i % 2 ? { status: 'pricing' } : {}) });
      timings.push(performance.now() - began);
      assert.ok(Array.isArray(orders), 'the list answers with orders');
    }
    // Recorded in the messages, so the gate's budgets can hold the run to them.
    await this.attach(figuresBody({ 'mes.list_ms': timings }), figuresMediaType);
    const p95 = statistic(timings, 'p95');
    this.log(
      `MES order list: ${calls} calls, p50 ${statistic(timings, 'p50').toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`,
    );
    assert.ok(p95 < budgetMs, `p95 ${p95.toFixed(1)} ms over the ${budgetMs} ms budget`);
  },
);

/** The database's probe and, when it has one, its replica's: where MES's reads may land. */
async function withReplicaProbe<T>(
  world: MesWorld,
  work: (replica: DatabaseProbe | undefined) => Promise<T>,
) {
  const replicaUrl = world.endpoints.replica?.databaseUrl;
  const replica = replicaUrl ? createDatabaseProbe(replicaUrl) : undefined;
  try {
    return await work(replica);
  } finally {
    await replica?.close();
  }
}

Given(
  "MES's order history holds {int} orders",
  waitsUpTo(historyWithinMs),
  async function (this: MesWorld, count: number) {
    const added = await seedOrderHistory(databaseOf(this.endpoints).databaseUrl, count);
    // MES may read its list from a replica: the history (and the planner's statistics of it) must be there.
    const written = await this.database.walPosition();
    await withReplicaProbe(this, async (replica) => {
      if (!replica) return;
      await eventually(async () => (await replica.hasReplayed(written)) || undefined, {
        within: historyWithinMs,
        every: 100,
        description: `the replica replaying the history (up to ${written})`,
      });
    });
    this.log(
      added > 0 ? `added ${added} orders to MES's history` : `MES's history already held ${count} orders`,
    );
  },
);

const scansBetween = (before: TableScans, after: TableScans) => ({
  sequential: after.sequential - before.sequential,
  byIndex: Object.fromEntries(
    Object.entries(after.byIndex)
      .map(([index, n]) => [index, n - (before.byIndex[index] ?? 0)] as const)
      .filter(([, n]) => n > 0),
  ),
});

const addScans = (a: TableScans, b: TableScans): TableScans => ({
  sequential: a.sequential + b.sequential,
  byIndex: Object.fromEntries(
    [...new Set([...Object.keys(a.byIndex), ...Object.keys(b.byIndex)])].map((index) => [
      index,
      (a.byIndex[index] ?? 0) + (b.byIndex[index] ?? 0),
    ]),
  ),
});

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/** Reads the list's first page `times` times with one filter, and how the database read the orders meanwhile. */
async function readListWith(
  world: MesWorld,
  replica: DatabaseProbe | undefined,
  filter: Record<string, string>,
  times: number,
): Promise<ListReads> {
  // The primary's scans and the replica's: MES reads where it can, and either may serve a read.
  const scansNow = async () => {
    const [primary, standby] = await Promise.all([
      world.database.scansOf('mes', 'orders'),
      replica?.scansOf('mes', 'orders'),
    ]);
    return standby ? addScans(primary, standby) : primary;
  };
  const before = await scansNow();
  const timingsMs: number[] = [];
  for (let i = 0; i < times; i += 1) {
    const began = performance.now();
    await world.mes.listOrders({ limit: 50, ...filter });
    timingsMs.push(performance.now() - began);
  }
  // Every read scans the table once at least, one way or the other: wait until the statistics heard of all.
  const scans = await eventually(
    async () => {
      const seen = scansBetween(before, await scansNow());
      if (seen.sequential + sum(Object.values(seen.byIndex)) < times)
        throw new Error(`the statistics show ${JSON.stringify(seen)}`);
      return seen;
    },
    {
      within: scansReportedWithinMs,
      every: 100,
      description: `the database's statistics counting ${times} reads`,
    },
  );
  return {
    filter: new URLSearchParams(filter).toString(),
    timingsMs,
    sequentialScans: scans.sequential,
    indexScans: scans.byIndex,
  };
}

When(
  'the MES order list is read {int} times with each of these filters:',
  waitsUpTo(4 * scansReportedWithinMs),
  async function (this: MesWorld, times: number, table: DataTable) {
    for (const row of table.hashes()) {
      const unknown = Object.keys(row).filter(
        (column) => !(listFilters as readonly string[]).includes(column),
      );
      if (unknown.length > 0)
        assert.fail(`unknown filter column(s) ${unknown.join(', ')}: use ${listFilters.join(', ')}`);
      const filter = Object.fromEntries(Object.entries(row).filter(([, value]) => value.trim() !== ''));
      this.listReads.push(
        await withReplicaProbe(this, (replica) => readListWith(this, replica, filter, times)),
      );
    }
    await this.attach(
      figuresBody({ 'mes.list_ms': this.listReads.flatMap((reads) => reads.timingsMs) }),
      figuresMediaType,
    );
  },
);

const filterName = (reads: ListReads) => reads.filter || 'no filter';

Then(
  "each filter's first page answered with a p95 under {int} ms",
  function (this: MesWorld, budgetMs: number) {
    if (this.listReads.length === 0)
      assert.fail('the list was not read: "the MES order list is read ..." first');
    const slow = this.listReads
      .map((reads) => ({ name: filterName(reads), p95: statistic(reads.timingsMs, 'p95') }))
      .filter(({ p95 }) => p95 >= budgetMs);
    if (slow.length > 0)
      assert.fail(
        `over the ${budgetMs} ms budget: ${slow.map(({ name, p95 }) => `${name}: p95 ${p95.toFixed(1)} ms`).join('; ')}`,
      );
  },
);

Then(
  "the database read MES's orders through an index for every filter, never by a sequential scan",
  function (this: MesWorld) {
    if (this.listReads.length === 0)
      assert.fail('the list was not read: "the MES order list is read ..." first');
    for (const reads of this.listReads)
      this.log(
        `${filterName(reads)}: index scans ${JSON.stringify(reads.indexScans)}, sequential ${reads.sequentialScans}`,
      );
    const scanned = this.listReads.filter((reads) => reads.sequentialScans > 0);
    if (scanned.length > 0)
      assert.fail(
        `read without an index: ${scanned
          .map(
            (reads) =>
              `${filterName(reads)}: ${reads.sequentialScans} sequential scan(s) of mes.orders in ${reads.timingsMs.length} reads`,
          )
          .join('; ')}`,
      );
  },
);
