// Which scenarios a finding on the wire is held against: those running when it was seen, or the one
// that finished last before it (work it left in flight).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Envelope } from '@cucumber/messages';
import { attribute, settled } from './wire-watch.ts';

const at = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });

/** Scenario `name` ran from `from` to `to` (ms), as cucumber's messages say. */
function scenario(name: string, from: number, to?: number): Envelope[] {
  return [
    {
      pickle: {
        id: `p-${name}`,
        name,
        uri: 'f.feature',
        language: 'en',
        steps: [],
        tags: [],
        astNodeIds: [],
      },
    },
    { testCase: { id: `tc-${name}`, pickleId: `p-${name}`, testSteps: [] } },
    { testCaseStarted: { id: `s-${name}`, testCaseId: `tc-${name}`, attempt: 0, timestamp: at(from) } },
    ...(to === undefined
      ? []
      : [{ testCaseFinished: { testCaseStartedId: `s-${name}`, timestamp: at(to), willBeRetried: false } }]),
  ];
}

const finding = (seenAt: number) =>
  ({ rule: 'duplicate-publish', where: 'channel c', problem: 'p', seenAt }) as const;

describe('attributing findings on the wire to scenarios', () => {
  const run = [
    ...scenario('A', 1_000, 2_000),
    ...scenario('B', 1_500, 3_000),
    ...scenario('C', 4_000, 5_000),
  ];

  it('names every scenario running when it was seen', () => {
    assert.deepEqual(attribute([finding(1_800)], run)[0]?.scenarios, ['A', 'B']);
    assert.deepEqual(attribute([finding(4_500)], run)[0]?.scenarios, ['C']);
  });

  it('names the scenario that finished last before a finding seen between scenarios', () => {
    assert.deepEqual(attribute([finding(3_500)], run)[0]?.scenarios, ['B']);
  });

  it('names none for a finding before the first scenario, and keeps the finding itself', () => {
    const [attributed] = attribute([finding(500)], run);
    assert.equal(attributed?.scenarios, undefined);
    assert.equal(attributed?.problem, 'p');
    assert.equal('seenAt' in (attributed ?? {}), false);
  });

  it('treats a scenario that never finished as still running', () => {
    assert.deepEqual(attribute([finding(9_000)], [...run, ...scenario('D', 8_000)])[0]?.scenarios, ['D']);
  });
});

describe('work in flight at the end of a run', () => {
  const total = (queues: Array<{ messages: number }>) =>
    queues.reduce((sum, queue) => sum + queue.messages, 0);
  /** One queue working off its backlog, a message a second: the queue count never moves, its messages do. */
  const backlog = (from: number) => {
    const began = Date.now();
    return async () => {
      const messages = Math.max(0, from - Math.floor((Date.now() - began) / 1000));
      return messages > 0 ? [{ name: 'pricing.requests', messages }] : [];
    };
  };

  it('waits while a queue works off its backlog, even past the stall window', async () => {
    const left = await settled(backlog(5), { amount: total });
    assert.deepEqual(left, []);
  });

  it('stops at the stall window when nothing moves, and says what is left', async () => {
    const stuck = async () => [{ name: 'orders.audit', messages: 2 }];
    const began = Date.now();
    const left = await settled(stuck, { amount: total });
    assert.deepEqual(left, [{ name: 'orders.audit', messages: 2 }]);
    assert.ok(Date.now() - began < 10_000, 'it did not wait for the whole settle deadline');
  });

  it('waits for a message a consumer is still working on, however long one message takes', async () => {
    const began = Date.now();
    // One message held for 5 s (longer than the stall window), then acknowledged.
    const working = async () =>
      Date.now() - began < 5_000
        ? [{ name: 'pricing.requests', messages: 1, unacknowledged: 1, consumers: 1 }]
        : [];
    const left = await settled(working, {
      amount: total,
      busy: (queues) => queues.some((queue) => queue.unacknowledged > 0 && queue.consumers > 0),
    });
    assert.deepEqual(left, []);
  });
});
