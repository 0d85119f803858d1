// The load steps' order mix: read from a Gherkin table with clear errors, and spread by weight
// so that a sustained rate interleaves the segments instead of sending them in clumps.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interleave, mixFromTable } from '../fixtures/orders.ts';

describe('order mix for load steps', () => {
  it('reads segment, weight and one line per row', () => {
    const mix = mixFromTable(
      [
        { segment: 'B2B', share: '3', sku: 'LAMP', quantity: '1' },
        { segment: 'B2C', share: '1', sku: 'DESK-OAK', quantity: '2' },
      ],
      'share',
    );
    assert.deepEqual(mix, [
      { segment: 'b2b', amount: 3, lines: [{ sku: 'LAMP', quantity: 1 }] },
      { segment: 'b2c', amount: 1, lines: [{ sku: 'DESK-OAK', quantity: 2 }] },
    ]);
  });

  it('names the row and the columns it expected when a row is wrong', () => {
    assert.throws(
      () => mixFromTable([{ segment: 'B2X', share: '1', sku: 'LAMP', quantity: '1' }], 'share'),
      /mix row 1: expected segment B2C or B2B and share a positive integer/,
    );
    assert.throws(
      () => mixFromTable([{ segment: 'B2C', orders: '0', sku: 'LAMP', quantity: '1' }], 'orders'),
      /orders a positive integer/,
    );
    assert.throws(() => mixFromTable([], 'share'), /the mix is empty/);
  });

  it('interleaves by weight: 3:1 gives three B2B to each B2C, evenly spread', () => {
    const mix = mixFromTable(
      [
        { segment: 'B2B', share: '3', sku: 'LAMP', quantity: '1' },
        { segment: 'B2C', share: '1', sku: 'LAMP', quantity: '1' },
      ],
      'share',
    );
    const order = interleave(mix, 12).map((row) => row.segment);
    assert.equal(order.filter((segment) => segment === 'b2c').length, 3);
    // Never more than three B2B in a row, and a B2C within every four orders.
    for (let i = 0; i + 4 <= order.length; i += 4) {
      assert.equal(order.slice(i, i + 4).filter((segment) => segment === 'b2c').length, 1, order.join(','));
    }
  });
});
