// Maps each public API version's shapes to and from the one internal order.

import type { NewOrder, Order } from './orders.ts';
import type { V1OrderBody, V2OrderBody } from './schemas.ts';

export const supportedVersions = ['v1', 'v2'] as const;
export type ApiVersion = (typeof supportedVersions)[number];

/** v1 is deprecated: answers carry Deprecation (RFC 9745) and Sunset (RFC 8594) headers. */
export const v1Deprecation = {
  deprecatedAt: new Date('2026-06-01T00:00:00Z'),
  sunsetAt: new Date('2027-06-30T00:00:00Z'),
};

export function deprecationHeaders(): Record<string, string> {
  return {
    deprecation: `@${Math.floor(v1Deprecation.deprecatedAt.getTime() / 1000)}`,
    sunset: v1Deprecation.sunsetAt.toUTCString(),
    link: '</v2/orders>; rel="successor-version"',
  };
}

export const fromV1 = (body: V1OrderBody): NewOrder => ({
  customerId: body.customerId,
  currency: 'EUR',
  lines: body.items.map((item) => ({ sku: item.productCode, quantity: item.qty })),
});

export const fromV2 = (body: V2OrderBody): NewOrder => ({
  customerId: body.customer.id,
  currency: body.currency,
  lines: body.lines.map((line) => ({ sku: line.sku, quantity: line.quantity })),
});

export const toV1 = (order: Order) => ({
  orderId: order.id,
  customerId: order.customerId,
  segment: order.segment,
  items: order.lines.map((line) => ({ productCode: line.sku, qty: line.quantity })),
  status: 'accepted' as const,
  createdAt: order.createdAt.toISOString(),
});

export const toV2 = (order: Order) => ({
  id: order.id,
  customer: { id: order.customerId, segment: order.segment },
  lines: order.lines,
  currency: order.currency as V2OrderBody['currency'],
  status: 'accepted' as const,
  createdAt: order.createdAt.toISOString(),
});
