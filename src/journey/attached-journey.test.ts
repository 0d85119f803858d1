// journey.json read back from a messages file: what the hook attached comes back whole, and a body
// from anyone else's stream reads as no journey rather than a crash.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stopped, wentThrough } from '../../test/support/journeys.ts';
import { parseAttachedJourneys } from './attached-journey.ts';

describe('parseAttachedJourneys', () => {
  it('reads back what the hook attached, unseen hops with no moment', () => {
    const read = parseAttachedJourneys(JSON.stringify([wentThrough, stopped], null, 2));
    assert.deepEqual(read, [wentThrough, stopped]);
    assert.equal(read?.[1]?.hops[4]?.at, undefined);
  });

  it('reads a body that is not a list of journeys as none', () => {
    for (const body of ['not json', '{"hops": []}', '[{"orderId": 1, "hops": []}]', '[{"orderId": "o"}]'])
      assert.equal(parseAttachedJourneys(body), undefined, body);
  });
});
