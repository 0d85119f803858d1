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

/** Milliseconds from the CRM accepting the order to MES recording its price. */
export const createdToPricedMs = (order: MesOrder) =>
  Date.parse(order.pricedAt ?? '') - Date.parse(order.createdAt);

/** created-to-priced per segment, in the messages: what the gate's latency budgets check. */
export async function recordCreatedToPriced(world: MesWorld, orders: readonly MesOrder[]): Promise<void> {
  const figures: Record<string, number[]> = {};
  for (const order of orders) {
    if (!order.pricedAt) continue;
    const name = `created_to_priced_ms.${order.segment}`;
    figures[name] = [...(figures[name] ?? []), createdToPricedMs(order)];
  }
  if (Object.keys(figures).length > 0) await world.attach(figuresBody(figures), figuresMediaType);
}

/** Orders through the pipeline per second: from the first one created to the last one priced. */
export function pipelineThroughput(priced: readonly MesOrder[]): { seconds: number; perSecond: number } {
  const first = Math.min(...priced.map((order) => Date.parse(order.createdAt)));
  const last = Math.max(...priced.map((order) => Date.parse(order.pricedAt ?? '')));
  const seconds = (last - first) / 1000;
  return { seconds, perSecond: priced.length / Math.max(seconds, 0.001) };
}
