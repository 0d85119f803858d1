// The queue sampler's pace and bounds: one request at a time however slow the broker is, a failed
// request kept as a gap, a bounded count that keeps peaks and the end, and a last sample at the stop.
// The broker here is a fake list function (no management API): what is tested is the sampler's own
// timing and bookkeeping, not the request (broker-queues.ts, test/queue-chart-run.test.ts).
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { eventually } from '../wait/eventually.ts';
import { type QueueDepth, type QueueSample, startQueueSampler, thin } from './queue-sampler.ts';

const queue = (name: string, ready: number, consumers = 1): QueueDepth => ({
  name,
  ready,
  unacked: 0,
  consumers,
});

/** A fake broker whose answers take `latencyMs`, counting how many requests are out at once. */
function fakeBroker(latencyMs: number, answer: (call: number) => QueueDepth[] | Error) {
  const seen = { calls: 0, outAtOnce: 0, mostAtOnce: 0 };
  const list = async (): Promise<QueueDepth[]> => {
    const call = seen.calls++;
    seen.outAtOnce += 1;
    seen.mostAtOnce = Math.max(seen.mostAtOnce, seen.outAtOnce);
    try {
      await new Promise((resolve) => setTimeout(resolve, latencyMs));
      const result = answer(call);
      if (result instanceof Error) throw result;
      return result;
    } finally {
      seen.outAtOnce -= 1;
    }
  };
  return { list, seen };
}

const whenCalled = (seen: { calls: number }, calls: number) =>
  eventually(() => (seen.calls >= calls ? true : undefined), {
    within: 5_000,
    description: `${calls} calls`,
  });

/**
 * Time moved by hand, the sampler's clock included: on a busy machine real timers fire late and real
 * time passes between two steps, and the pace is what is tested. The broker answers at once and
 * counts its requests.
 */
function handMovedClock(t: TestContext, answer: () => QueueDepth[]) {
  t.mock.timers.enable({ apis: ['setTimeout', 'Date'] });
  const settled = () => new Promise((resolve) => setImmediate(resolve));
  const broker = {
    calls: 0,
    list: async () => {
      broker.calls += 1;
      return answer();
    },
  };
  const advance = async (ms: number) => {
    t.mock.timers.tick(ms);
    await settled();
  };
  return { broker, settled, advance, now: () => Date.now() };
}

describe('startQueueSampler', () => {
  it('never has two requests out: a slow answer delays the next sample', async () => {
    const broker = fakeBroker(30, () => [queue('pricing.requests', 1)]);
    const sampler = startQueueSampler(broker.list, { everyMs: 1 });
    await whenCalled(broker.seen, 6);
    const record = await sampler.stop();
    assert.equal(broker.seen.mostAtOnce, 1);
    const times = record.samples.map((sample) => sample.at);
    for (const [index, at] of times.slice(1).entries())
      assert.ok(
        at - (times[index] as number) >= 25,
        `samples ${times.join(', ')} closer than an answer takes`,
      );
  });

  it('keeps a steady pace when the broker answers fast', async (t) => {
    const { broker, settled, advance, now } = handMovedClock(t, () => [queue('a', 0)]);
    const sampler = startQueueSampler(broker.list, { everyMs: 40, now });
    await settled();
    const seen: number[] = [broker.calls];
    for (const step of [20, 20, 20, 20, 40]) {
      await advance(step);
      seen.push(broker.calls);
    }
    // One sample at the start, then one each 40 ms: none between two paces, none missed.
    assert.deepEqual(seen, [1, 1, 2, 2, 3, 4]);
    await sampler.stop();
  });

  it('records a failed request as a gap and goes on', async () => {
    const broker = fakeBroker(0, (call) =>
      call === 1 ? new Error('connect ECONNREFUSED') : [queue('a', 2)],
    );
    const sampler = startQueueSampler(broker.list, { everyMs: 1 });
    await whenCalled(broker.seen, 3);
    const { samples } = await sampler.stop();
    assert.deepEqual(samples[1], { at: samples[1]?.at, gap: 'connect ECONNREFUSED' });
    assert.ok(samples.slice(2).every((sample) => 'queues' in sample));
  });

  it('stays within its count over a long window, doubling its pace, and ends with the figures at the stop', async () => {
    let depth = 0;
    const broker = fakeBroker(0, () => [queue('q', depth++)]);
    const sampler = startQueueSampler(broker.list, { everyMs: 1, maxSamples: 8 });
    await whenCalled(broker.seen, 30);
    const record = await sampler.stop();
    assert.ok(record.samples.length <= 8, `${record.samples.length} samples`);
    assert.ok(record.thinned >= 2, `thinned ${record.thinned} times`);
    assert.equal(record.everyMs, 2 ** record.thinned);
    const last = record.samples.at(-1);
    assert.ok(last && 'queues' in last);
    assert.equal(
      last.queues[0]?.ready,
      broker.seen.calls - 1,
      'the last sample is the one taken at the stop',
    );
    assert.ok(record.endedAt >= last.at);
  });

  it('takes one last sample at the stop, and none after it', async (t) => {
    // The pace is moved by hand, so "none after" needs no waiting.
    const { broker, settled, advance, now } = handMovedClock(t, () => []);
    const sampler = startQueueSampler(broker.list, { everyMs: 500, now });
    await settled();
    assert.equal(broker.calls, 1, 'the first sample at the start');
    await advance(499);
    assert.equal(broker.calls, 1, 'not before the pace');
    await advance(1);
    assert.equal(broker.calls, 2);
    await sampler.stop();
    assert.equal(broker.calls, 3);
    await advance(60_000);
    assert.equal(broker.calls, 3);
  });

  it('marks the dead-letter queues it is told of, and none when it cannot find them', async () => {
    const broker = fakeBroker(0, () => []);
    const found = await startQueueSampler(broker.list, {
      deadLetterQueues: async () => ['pricing.requests.dead'],
    }).stop();
    assert.deepEqual(found.deadLetterQueues, ['pricing.requests.dead']);
    const failed = await startQueueSampler(broker.list, {
      deadLetterQueues: async () => {
        throw new Error('401');
      },
    }).stop();
    assert.deepEqual(failed.deadLetterQueues, []);
  });
});

describe('thin', () => {
  const sample = (at: number, ready: number): QueueSample => ({ at, queues: [queue('q', ready)] });
  const gap = (at: number): QueueSample => ({ at, gap: 'timeout' });

  it('halves the samples, keeping the peak of each pair and the latest', () => {
    const samples = [sample(0, 0), sample(1, 5), sample(2, 1), sample(3, 0), sample(4, 0)];
    assert.deepEqual(
      thin(samples).map((each) => each.at),
      [1, 2, 4],
    );
  });

  it('gives a gap way to figures, and keeps a gap where there are none', () => {
    assert.deepEqual(
      thin([gap(0), sample(1, 0), gap(2), gap(3), sample(4, 0)]).map((each) => each.at),
      [1, 2, 4],
    );
  });
});
