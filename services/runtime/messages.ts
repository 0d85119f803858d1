// The message bodies the services exchange, as schemas: a consumer checks every body before using it.
import type { ConsumeMessage } from 'amqplib';
import { type Static, type TSchema, Type } from 'typebox';
import { compileParser } from './validate.ts';

const Segment = Type.Union([Type.Literal('b2c'), Type.Literal('b2b')]);
const Lines = Type.Array(
  Type.Object({ sku: Type.String({ minLength: 1 }), quantity: Type.Integer({ minimum: 1 }) }),
  {
    minItems: 1,
  },
);
const OrderId = Type.String({ format: 'uuid', pattern: '^[0-9a-fA-F-]{36}$' });

export const OrderCreated = Type.Object({
  orderId: OrderId,
  customerId: Type.String({ minLength: 1 }),
  segment: Segment,
  currency: Type.String({ minLength: 3, maxLength: 3 }),
  lines: Lines,
  channel: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});
export type OrderCreated = Static<typeof OrderCreated>;

export const PricingRequested = Type.Object({
  orderId: OrderId,
  segment: Segment,
  currency: Type.String({ minLength: 3, maxLength: 3 }),
  lines: Lines,
});
export type PricingRequested = Static<typeof PricingRequested>;

export const PricingResult = Type.Union([
  // pricedBy only says which instance answered: a result without it is still applied (a tolerant
  // reader), though the contract requires it of every producer.
  Type.Object({
    orderId: OrderId,
    status: Type.Literal('completed'),
    totalCents: Type.Integer({ minimum: 0 }),
    currency: Type.String({ minLength: 3, maxLength: 3 }),
    pricedBy: Type.Optional(Type.String()),
  }),
  Type.Object({
    orderId: OrderId,
    status: Type.Literal('failed'),
    reason: Type.String(),
    pricedBy: Type.Optional(Type.String()),
  }),
]);
export type PricingResult = Static<typeof PricingResult>;

/** A parser for a consumer: JSON first, then the schema; either failure makes the message poison. */
export function jsonMessageParser<T extends TSchema>(schema: T): (message: ConsumeMessage) => Static<T> {
  const check = compileParser(schema);
  return (message) => {
    let body: unknown;
    try {
      body = JSON.parse(message.content.toString('utf8'));
    } catch {
      throw new TypeError('body is not JSON');
    }
    return check(body);
  };
}
