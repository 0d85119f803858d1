// MES's database's read replica (@needs-postgres-replica): MES reads from it while it streams, keeps
// answering from the primary when it stops, and says which on its analytics panel; its lag is measured
// while the primary takes writes. Thin over the MES client and the dashboard page.
import assert from 'node:assert/strict';
import { setInterval } from 'node:timers/promises';
import { Then, When } from '@cucumber/cucumber';
import type { ListRead } from '../src/drivers/mes-client.ts';
import { figuresBody, figuresMediaType, statistic } from '../src/gate/figures.ts';
import { eventually } from '../src/wait/eventually.ts';
import { ownDeadline, withinDeadline } from './support/timeouts.ts';
import type { MesWorld } from './support/world.ts';

/** What MES's analytics say of its replica (GET /api/metrics, `replica`). */
interface ReplicaStatus {
  state: string;
  readsFrom: string;
  lagMs: number | null;
  reason?: string;
}

async function replicaStatus(world: MesWorld): Promise<ReplicaStatus> {
  const { replica } = (await world.mes.metrics()) as { replica?: ReplicaStatus };
  return replica ?? assert.fail('MES analytics say nothing of a replica (no "replica" in /api/metrics)');
}

/** The list and the replica's lag, read side by side at a steady pace while the primary takes writes. */
interface ReplicaWatch {
  lists: ListRead[];
  lagsMs: number[];
  states: string[];
  stop(): Promise<void>;
}

const watches = new WeakMap<MesWorld, ReplicaWatch>();

Then(
  'MES reads from the PostgreSQL replica within {int} second(s)',
  ownDeadline,
  async function (this: MesWorld, seconds: number) {
    const streaming = eventually(
      async () => {
        const replica = await replicaStatus(this);
        if (replica.state !== 'streaming' || replica.readsFrom !== 'replica')
          throw new Error(`MES says its replica is ${JSON.stringify(replica)}`);
        const read = await this.mes.readList({ limit: 1 });
        if (read.readFrom !== 'replica')
          throw new Error(
            `the order list answered ${read.status} from ${read.readFrom ?? 'no source it named'}`,
          );
        return replica;
      },
      { within: seconds * 1000, maxEvery: 250, description: 'MES reading its order list from the replica' },
    );
    await withinDeadline(seconds, streaming);
  },
);

When('the MES order list and the replica are watched', function (this: MesWorld) {
  const stopped = new AbortController();
  const watch: ReplicaWatch = { lists: [], lagsMs: [], states: [], stop: async () => {} };
  // As an operator's screen would: the first page ten times a second (a schedule, not a pause), and
  // beside it what MES says of its replica. A read that fails is kept as what it was.
  const reading = (async () => {
    for await (const _tick of setInterval(100, undefined, { signal: stopped.signal })) {
      const [list, replica] = await Promise.all([
        this.mes
          .readList({ limit: 50 })
          .catch((error: Error): ListRead => ({ status: 0, ms: 0, readFrom: error.message, orders: [] })),
        replicaStatus(this).catch((error: Error) => ({ state: `unreadable: ${error.message}`, lagMs: null })),
      ]);
      watch.lists.push(list);
      watch.states.push(replica.state);
      if (replica.lagMs !== null) watch.lagsMs.push(replica.lagMs);
    }
  })().catch((error: Error) => {
    if (error.name !== 'AbortError') throw error;
  });
  watch.stop = async () => {
    stopped.abort();
    await reading;
  };
  watches.set(this, watch);
});

Then(
  "the MES order list answered from the replica throughout, and the replica's lag stayed under {int} ms",
  async function (this: MesWorld, budgetMs: number) {
    const watch = watches.get(this) ?? assert.fail('the MES order list was not watched in this scenario');
    await watch.stop();
    const { lists, lagsMs, states } = watch;
    const bySource = Object.entries(
      Object.groupBy(lists, (read) => `${read.status} from ${read.readFrom ?? 'an unnamed source'}`),
    ).map(([answer, reads]) => `${reads?.length ?? 0} x ${answer}`);
    this.log(
      `order list read ${lists.length} times (${bySource.join(', ')}), list p95 ${statistic(
        lists.map((read) => read.ms),
        'p95',
      ).toFixed(1)} ms; replica lag max ${Math.max(0, ...lagsMs)} ms over ${lagsMs.length} samples`,
    );
    // Recorded in the messages, so a policy can hold the run to a budget on it too.
    if (lagsMs.length > 0) await this.attach(figuresBody({ 'mes.replica_lag_ms': lagsMs }), figuresMediaType);
    assert.ok(
      lists.length >= 5,
      `the list was read only ${lists.length} times while the orders went through`,
    );
    assert.deepEqual(bySource, [`${lists.length} x 200 from replica`], 'every read of the order list');
    assert.deepEqual([...new Set(states)], ['streaming'], 'the replica streamed throughout, as MES saw it');
    const worst = Math.max(...lagsMs);
    assert.ok(worst < budgetMs, `the replica lagged ${worst} ms, over the ${budgetMs} ms budget`);
  },
);

Then(
  'the MES order list answers from the primary within {int} second(s)',
  ownDeadline,
  async function (this: MesWorld, seconds: number) {
    const fromPrimary = eventually(
      async () => {
        const read = await this.mes.readList({ limit: 50 });
        if (read.status !== 200 || read.readFrom !== 'primary')
          throw new Error(
            `the order list answered ${read.status} from ${read.readFrom ?? 'no source it named'}`,
          );
        return read;
      },
      { within: seconds * 1000, maxEvery: 250, description: 'the MES order list answering from the primary' },
    );
    await withinDeadline(seconds, fromPrimary);
  },
);

Then(
  'the analytics panel says the replica is down, reading from the primary, within {int} second(s)',
  ownDeadline,
  async function (this: MesWorld, seconds: number) {
    const dashboard = await this.dashboard();
    const shown = dashboard.waitForTable(
      'Read replica',
      (rows) => rows.length === 1 && rows[0]?.[0] === 'Down' && rows[0]?.[1] === 'Primary',
      {
        within: seconds * 1000,
        description: 'the analytics panel showing the replica down, reads from the primary',
      },
    );
    await withinDeadline(seconds, shown);
  },
);
