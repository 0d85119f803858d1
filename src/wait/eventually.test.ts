import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeadlineExceededError, eventually } from './eventually.ts';

describe('eventually', () => {
  it('returns the first defined value as soon as the check passes', async () => {
    let calls = 0;
    const value = await eventually(() => (++calls >= 3 ? 'ready' : undefined), {
      within: 2_000,
      every: 1,
      description: 'x',
    });
    assert.equal(value, 'ready');
    assert.equal(calls, 3);
  });

  it('keeps polling while the check throws and returns once it stops', async () => {
    let calls = 0;
    const value = await eventually(
      () => {
        calls++;
        if (calls < 2) throw new Error('not yet');
        return calls;
      },
      { within: 2_000, every: 1, description: 'x' },
    );
    assert.equal(value, 2);
  });

  it('fails at the deadline naming what it waited for and what it last saw', async () => {
    const started = performance.now();
    await assert.rejects(
      eventually(
        () => {
          throw new Error('queue depth 7');
        },
        { within: 120, every: 10, description: 'queue drained' },
      ),
      (error: unknown) => {
        assert.ok(error instanceof DeadlineExceededError);
        assert.match(error.message, /^queue drained: not seen within 120 ms; last seen: queue depth 7$/);
        return true;
      },
    );
    assert.ok(performance.now() - started >= 115, 'gave up before the deadline');
  });
});
