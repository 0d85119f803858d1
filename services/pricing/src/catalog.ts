// The price list and the price rule: what an order costs, in integer cents of its currency.

/** Unit prices in EUR cents. */
export const unitPricesEur: Readonly<Record<string, number>> = {
  'CHAIR-OAK': 12_900,
  'CHAIR-PINE': 8_900,
  'DESK-OAK': 45_000,
  'DESK-PINE': 32_000,
  'SHELF-OAK': 18_500,
  LAMP: 3_450,
  'CABINET-STEEL': 27_900,
};

/** Fixed rates per EUR, so a price is reproducible in tests. */
export const ratesPerEur: Readonly<Record<string, number>> = { EUR: 1, USD: 1.08, PLN: 4.3 };

/** Business customers get this many percent off the list price. */
export const b2bDiscountPercent = 5;

export interface PricingRequest {
  orderId: string;
  segment: 'b2c' | 'b2b';
  currency: string;
  lines: ReadonlyArray<{ sku: string; quantity: number }>;
}

export type PricingOutcome =
  | { status: 'completed'; totalCents: number; currency: string; lines: PricedLine[] }
  | { status: 'failed'; reason: string };

export interface PricedLine {
  sku: string;
  quantity: number;
  unitCents: number;
  lineCents: number;
}

/**
 * The catalogue's rule rounds each unit price to the cent, after the rate and the discount. Rounding
 * the total once instead is the injected bug (PRICING_FAULT=round-total): a cent or two off.
 */
export interface PriceRule {
  rounding: 'unit' | 'total';
}

export function priceOrder(request: PricingRequest, rule: PriceRule = { rounding: 'unit' }): PricingOutcome {
  const rate = ratesPerEur[request.currency];
  if (rate === undefined)
    return { status: 'failed', reason: `no exchange rate for currency ${request.currency}` };
  const unknown = request.lines
    .filter((line) => unitPricesEur[line.sku] === undefined)
    .map((line) => line.sku);
  if (unknown.length > 0) return { status: 'failed', reason: `unknown SKU(s): ${unknown.join(', ')}` };
  const discount = request.segment === 'b2b' ? (100 - b2bDiscountPercent) / 100 : 1;
  const exactUnit = (sku: string) => (unitPricesEur[sku] as number) * rate * discount;
  const lines = request.lines.map((line) => {
    const unitCents = Math.round(exactUnit(line.sku));
    return { sku: line.sku, quantity: line.quantity, unitCents, lineCents: unitCents * line.quantity };
  });
  const totalCents =
    rule.rounding === 'unit'
      ? lines.reduce((sum, line) => sum + line.lineCents, 0)
      : Math.round(request.lines.reduce((sum, line) => sum + exactUnit(line.sku) * line.quantity, 0));
  return { status: 'completed', currency: request.currency, lines, totalCents };
}
