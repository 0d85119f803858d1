// Placing orders through the CRM for a scenario, and recording the figures the gate's budgets
// check: shared by the order, load and dashboard steps.
import type { OrderLine, Segment } from '../../fixtures/orders.ts';
import { apiKeyNames, orderBody, uniqueCustomerId } from '../../fixtures/orders.ts';
import type { MesOrder } from '../../src/drivers/mes-client.ts';
import { figuresBody, figuresMediaType } from '../../src/gate/figures.ts';
import type { MesWorld } from './world.ts';

/** Places one order from a customer of its own; the World keeps it and the CRM's answer. */
export async function placeOrder(
  world: MesWorld,
  order: {
    segment: Segment;
    version: string;
    lines: readonly OrderLine[];
    currency?: string;
    apiKey?: string | undefined;
  },
) {
  const customerId = uniqueCustomerId(order.segment);
  const currency = order.version === 'v1' ? 'EUR' : (order.currency ?? 'EUR');
  const answer = await world.crm.placeOrder({
    version: order.version,
    apiKey: order.apiKey ?? world.apiKey(apiKeyNames[order.segment]),
    body: orderBody(order.version, customerId, order.lines, currency),
  });
  const body = answer.body as { id?: string; orderId?: string };
  const id = answer.status === 201 || answer.status === 200 ? (body.id ?? body.orderId) : undefined;
  world.orders.push({ customerId, segment: order.segment, currency, lines: order.lines, answer, id });
  world.lastAnswer = answer;
  world.answers.push(answer);
}

/** created-to-priced per segment, in the messages: what the gate's latency budgets check. */
export async function recordCreatedToPriced(world: MesWorld, orders: readonly MesOrder[]): Promise<void> {
  const figures: Record<string, number[]> = {};
  for (const order of orders) {
    if (!order.pricedAt) continue;
    const name = `created_to_priced_ms.${order.segment}`;
    figures[name] = [...(figures[name] ?? []), Date.parse(order.pricedAt) - Date.parse(order.createdAt)];
  }
  if (Object.keys(figures).length > 0) await world.attach(figuresBody(figures), figuresMediaType);
}
