// The seed's promises the shipped suite proves (pricing rules, idempotent retries, an analytics panel
// that tells the truth, an order list on indexes at 100 000 orders, throughput growing with pricing
// instances, an order list read from the database's replica) each BLOCK a run of the reference stack
// broken on purpose the way its scenario guards against, with the scenario named. One run breaks them
// all at once: one environment start, not seven. The database and its replica are containers of the
// run (the replica's scenarios need one); the services are processes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { referenceProject } from './support/fixture-project.ts';
import { dockerMissing, skipWhenMissing } from './support/needs.ts';
import { failureReasonOf, repoRoot, runMesE2e } from './support/run-cli.ts';

const skip = skipWhenMissing("the seed's promises on a replicated database", await dockerMissing());

const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };

interface Summary {
  verdict: 'PROMOTE' | 'BLOCK';
  reasons: string[];
  counts: Record<string, number>;
}

describe("the shipped scenarios of the seed's promises on a broken reference stack", {
  timeout: 480_000,
  skip,
}, () => {
  it('block a stack that drops unpriceable orders, rounds totals once, ignores Idempotency-Keys, whose panel lies, whose list has no index, whose pricing cannot scale out and whose MES ignores its replica', async () => {
    const cwd = referenceProject({
      components: {
        postgres: { source: 'container' },
        'postgres-replica': { source: 'container' },
        pricing: {
          source: 'process',
          env: { PRICING_FAULT: 'drop-unpriceable,round-total,exclusive-consumer' },
        },
        crm: { source: 'process', env: { CRM_IDEMPOTENCY: 'off' } },
        mes: {
          source: 'process',
          env: { MES_FAULT: 'latency-from-receipt,no-list-indexes,reads-on-primary' },
        },
      },
    });
    const tags =
      '@unpriceable or @rounding or @idempotency or @alone or (@perf and @destructive) or (@needs-postgres-replica and not @destructive)';
    const args = ['run', `${repoRoot}features`, '--tags', tags, '--max-failures', '0', '--parallel', '2'];
    const result = await runMesE2e([...args, '--json'], { cwd, env, timeoutMs: 420_000 });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const summary = JSON.parse(result.stdout) as Summary;
    const reasons = summary.reasons.join('\n');
    const failedFor = (name: string) => failureReasonOf(summary, name);

    // Dropped instead of failed: the order waits for a price forever, and the diagnosis says where.
    assert.match(
      failedFor('An order for a product pricing does not know ends failed, with the reason'),
      /stopped before "pricing\.completed on the bus".*responsible: pricing/,
    );
    assert.match(
      failedFor('An order that cannot be priced shows as failed on the dashboard, with the reason'),
      /Pricing failed: not seen within 15000 ms/,
    );
    // Rounded once: a cent off wherever a unit price has a fraction of a cent (business prices).
    for (const currency of ['EUR', 'USD', 'PLN']) {
      const name = `Prices are rounded per unit to the cent, after the rate and the discount (B2B, ${currency})`;
      // The diagnosis names the hop and the component that produced the wrong total.
      assert.match(
        failedFor(name),
        /total in cents .*the total went wrong at "pricing\.completed on the bus" \(pricing\.completed on the bus carried \d+\): produced by pricing/,
      );
    }
    assert.equal(summary.counts.passed, 3, 'the consumer prices have no fraction of a cent to round');
    // Keys ignored: the retry creates a second order.
    assert.match(
      failedFor(
        'A client retrying with the same Idempotency-Key gets the first answer and creates one order',
      ),
      /the retry \(answered 201\) names the order the first request created/,
    );
    // A panel that measures from MES's receipt shows less than the orders took.
    assert.match(
      failedFor("The analytics panel's counts and latency percentiles are those of the orders it counts"),
      /created-to-priced p50: the panel shows \d+ ms, the orders measured \d+ ms/,
    );
    // Without its indexes the list still answers fast enough at 100 000 orders; the database's
    // statistics show the whole table read for each filter (by parallel workers too: at least once a read).
    assert.match(
      failedFor('Every filter of the MES order list answers from an index with 100 000 orders'),
      /no filter: \d+ sequential scan\(s\) of mes\.orders in 10 reads/,
    );
    // A pricing that takes its queue for itself: a second instance adds no consumer, and no throughput.
    assert.match(
      failedFor('Throughput grows with pricing instances until another part of the pipeline bounds it'),
      /2 consumers on pricing\.requests: not seen within 60000 ms; last seen: pricing\.requests has 1 consumer\(s\) \(at step "And a second pricing instance is started"\)/,
    );
    // An MES that reads everything from the primary: the list never says the replica answered.
    assert.match(
      failedFor('The order list keeps answering from the replica while the primary takes a write burst'),
      /MES reading its order list from the replica: not seen within 10000 ms.*"readsFrom":"primary"/,
    );
    assert.equal(summary.counts.failed, 10, reasons);
  });
});
