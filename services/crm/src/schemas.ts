// The CRM's HTTP contract: one TypeBox schema per body, used for validation, types and the OpenAPI document.
import { type Static, Type } from 'typebox';

const CustomerId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' });
const Sku = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Z0-9-]+$' });
const Quantity = Type.Integer({ minimum: 1, maximum: 10_000 });
const Segment = Type.Union([Type.Literal('b2c'), Type.Literal('b2b')]);
export const currencies = ['EUR', 'USD', 'PLN'] as const;
const Currency = Type.Union(currencies.map((c) => Type.Literal(c)));
const Timestamp = Type.String({ format: 'date-time' });
const OrderId = Type.String({ format: 'uuid' });

export const V1OrderBody = Type.Object(
  {
    customerId: CustomerId,
    items: Type.Array(Type.Object({ productCode: Sku, qty: Quantity }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 100,
    }),
  },
  { additionalProperties: false },
);
export type V1OrderBody = Static<typeof V1OrderBody>;

export const V2OrderBody = Type.Object(
  {
    customer: Type.Object({ id: CustomerId }, { additionalProperties: false }),
    lines: Type.Array(Type.Object({ sku: Sku, quantity: Quantity }, { additionalProperties: false }), {
      minItems: 1,
      maxItems: 100,
    }),
    currency: Currency,
  },
  { additionalProperties: false },
);
export type V2OrderBody = Static<typeof V2OrderBody>;

export const V1Order = Type.Object({
  orderId: OrderId,
  customerId: CustomerId,
  segment: Segment,
  items: Type.Array(Type.Object({ productCode: Sku, qty: Quantity })),
  status: Type.Literal('accepted'),
  createdAt: Timestamp,
});

export const V2Order = Type.Object({
  id: OrderId,
  customer: Type.Object({ id: CustomerId, segment: Segment }),
  lines: Type.Array(Type.Object({ sku: Sku, quantity: Quantity })),
  currency: Currency,
  status: Type.Literal('accepted'),
  createdAt: Timestamp,
});

export const OrderParams = Type.Object({ id: Type.String() });

export const ErrorBody = Type.Object({
  error: Type.String({ description: 'machine-readable error code' }),
  message: Type.String({ description: 'what went wrong and what to do' }),
  details: Type.Optional(Type.Array(Type.Object({ field: Type.String(), problem: Type.String() }))),
  supportedVersions: Type.Optional(Type.Array(Type.String())),
});

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  'x-correlation-id': Type.Optional(Type.String({ maxLength: 128, pattern: '^[A-Za-z0-9_.:-]+$' })),
});
