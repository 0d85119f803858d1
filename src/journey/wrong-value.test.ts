// A wrong total or currency is traced, on the reference journey, to the hop that first carried it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadPipeline } from '../config/pipeline.ts';
import type { BusMessage } from '../drivers/bus-observer.ts';
import { whereValueWentWrong } from './wrong-value.ts';

const { journey } = await loadPipeline({
  config: {},
  configFile: undefined,
  configDir: process.cwd(),
  components: ['rabbitmq', 'postgres', 'crm', 'mes', 'pricing'],
});

const id = '0b8f2a4e-0000-4000-8000-000000000002';
const message = (exchange: string, routingKey: string, body: Record<string, unknown>): BusMessage => ({
  exchange,
  routingKey,
  headers: {},
  body: { orderId: id, ...body },
  priority: undefined,
  messageId: undefined,
  correlationId: undefined,
  deliveryMode: 2,
  seenAt: 0,
});

const flow = (totalCents: number, currency = 'EUR') => [
  message('orders', 'order.created.b2c', { currency: 'EUR' }),
  message('pricing', 'pricing.requested', { currency: 'EUR' }),
  message('pricing', 'pricing.completed', { totalCents, currency }),
];

describe('whereValueWentWrong', () => {
  it('names pricing when pricing.completed already carried the wrong total', () => {
    assert.equal(
      whereValueWentWrong(journey, 'total', 9834, 9833, id, flow(9833)),
      'the total went wrong at "pricing.completed on the bus" (pricing.completed on the bus carried 9833): produced by pricing',
    );
  });

  it('names MES when every hop carried the right total and MES shows another', () => {
    assert.equal(
      whereValueWentWrong(journey, 'total', 9834, 9800, id, flow(9834)),
      'pricing.completed on the bus carried 9834, but mes shows 9800: mes changed it',
    );
  });

  it('follows the currency through every hop that carries it, to the first that differs', () => {
    const messages = flow(100, 'PLN');
    assert.match(
      whereValueWentWrong(journey, 'currency', 'EUR', 'PLN', id, messages),
      /^the currency went wrong at "pricing\.completed on the bus" \(order\.created on the bus carried "EUR", pricing\.requested on the bus carried "EUR", pricing\.completed on the bus carried "PLN"\): produced by pricing$/,
    );
  });

  it('does not blame the state when a hop that carries the value was not seen', () => {
    const [created, requested] = flow(9834);
    assert.equal(
      whereValueWentWrong(
        journey,
        'total',
        9834,
        9800,
        id,
        [created, requested].flatMap((m) => (m ? [m] : [])),
      ),
      'mes shows 9800; not seen on the bus: pricing.completed on the bus: it went wrong at one of those hops or in mes',
    );
  });
});
