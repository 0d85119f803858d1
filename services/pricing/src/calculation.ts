// The heavy part of pricing: the price rule plus a configurable amount of real CPU work per order.
import { createHash } from 'node:crypto';
import { type PriceRule, type PricingOutcome, type PricingRequest, priceOrder } from './catalog.ts';

/** Keeps the CPU busy for `ms` milliseconds, standing in for a costly calculation (tariffs, BOM explosion). */
function burnCpu(ms: number): void {
  const until = performance.now() + ms;
  let digest = Buffer.alloc(32);
  while (performance.now() < until) {
    for (let i = 0; i < 200; i++) digest = createHash('sha256').update(digest).digest();
  }
}

export function calculatePrice(request: PricingRequest, costMs: number, rule?: PriceRule): PricingOutcome {
  burnCpu(costMs);
  return priceOrder(request, rule);
}
