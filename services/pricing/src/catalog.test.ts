import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { priceOrder } from './catalog.ts';

describe('priceOrder', () => {
  it('sums quantity times unit price for a B2C order in EUR', () => {
    const outcome = priceOrder({
      orderId: 'o1',
      segment: 'b2c',
      currency: 'EUR',
      lines: [
        { sku: 'CHAIR-OAK', quantity: 2 },
        { sku: 'LAMP', quantity: 3 },
      ],
    });
    assert.deepEqual(outcome, {
      status: 'completed',
      currency: 'EUR',
      totalCents: 2 * 12_900 + 3 * 3_450,
      lines: [
        { sku: 'CHAIR-OAK', quantity: 2, unitCents: 12_900, lineCents: 25_800 },
        { sku: 'LAMP', quantity: 3, unitCents: 3_450, lineCents: 10_350 },
      ],
    });
  });

  it('converts the currency and applies the B2B discount per unit, rounded to cents', () => {
    const outcome = priceOrder({
      orderId: 'o2',
      segment: 'b2b',
      currency: 'USD',
      lines: [{ sku: 'DESK-PINE', quantity: 3 }],
    });
    // 32000 * 1.08 * 0.95 = 32832 cents per unit
    assert.equal(outcome.status === 'completed' && outcome.totalCents, 3 * 32_832);
  });

  it('rounds each unit price, not the total: the rule the round-total fault breaks', () => {
    const request = {
      orderId: 'o4',
      segment: 'b2b' as const,
      currency: 'EUR',
      lines: [{ sku: 'LAMP', quantity: 3 }],
    };
    // 3450 * 0.95 = 3277.5 cents: 3278 per unit, 9834 for three; rounding 9832.5 once gives 9833.
    const perUnit = priceOrder(request);
    assert.equal(perUnit.status === 'completed' && perUnit.totalCents, 9_834);
    const once = priceOrder(request, { rounding: 'total' });
    assert.equal(once.status === 'completed' && once.totalCents, 9_833);
  });

  it('fails naming every unknown SKU', () => {
    const outcome = priceOrder({
      orderId: 'o3',
      segment: 'b2c',
      currency: 'EUR',
      lines: [
        { sku: 'NOPE', quantity: 1 },
        { sku: 'LAMP', quantity: 1 },
        { sku: 'GONE', quantity: 1 },
      ],
    });
    assert.deepEqual(outcome, { status: 'failed', reason: 'unknown SKU(s): NOPE, GONE' });
  });
});
