// Placing orders through the CRM for a scenario, and recording the figures the gate's budgets
// check: shared by the order, load and dashboard steps.
import type { OrderLine, Segment } from '../../fixtures/orders.ts';
import { apiKeyNames, uniqueCustomerId } from '../../fixtures/orders.ts';
import { httpBaseUrlOf } from '../../src/drivers/endpoints.ts';
import { sendHttp } from '../../src/drivers/http-client.ts';
import type { MesOrder } from '../../src/drivers/mes-client.ts';
import type { StateRead } from '../../src/drivers/state-reader.ts';
import { figuresBody, figuresMediaType } from '../../src/gate/figures.ts';
import { orderRequest } from '../../src/journey/order-request.ts';
import { valueAt } from '../../src/match/json-path.ts';
import type { MesWorld, PlacedOrder } from './world.ts';

/** Places one order from a customer of its own with the journey's create operation; the World keeps it and the answer. */
export async function placeOrder(
  world: MesWorld,
  order: {
    segment: Segment;
    version: string;
    lines: readonly OrderLine[];
    currency?: string;
    apiKey?: string | undefined;
    /** The same customer again (a client retrying); a new one otherwise. */
    customerId?: string;
    /** Sent as the Idempotency-Key header, the way a client makes its retries safe. */
    idempotencyKey?: string;
  },
) {
  const customerId = order.customerId ?? uniqueCustomerId(order.segment);
  const currency = order.version === 'v1' ? 'EUR' : (order.currency ?? 'EUR');
  const { journey } = world;
  const request = orderRequest(
    journey,
    {
      customerId,
      segment: order.segment,
      currency,
      lines: order.lines,
      apiKey: order.apiKey ?? defaultKey(world, order.segment),
    },
    order.version,
    world.endpoints.secrets,
  );
  const { step } = request;
  const answer = await sendHttp(
    {
      method: step.method,
      baseUrl: httpBaseUrlOf(world.endpoints, step.component),
      path: step.path,
      headers: order.idempotencyKey
        ? { ...request.headers, 'idempotency-key': order.idempotencyKey }
        : request.headers,
      json: request.body,
    },
    { onAnswer: world.answersOf(step.component) },
  );
  const found = valueAt(answer.body, step.id);
  const accepted = step.success.includes(answer.status) && found.found;
  const id = accepted ? String(found.value) : undefined;
  const { segment, version, lines, idempotencyKey } = order;
  world.orders.push({
    customerId,
    segment,
    version,
    currency,
    lines,
    answer,
    id,
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
  });
  world.lastAnswer = answer;
  world.answers.push(answer);
}

/** The reference CRM's key for the segment's own client, where the run has generated keys. */
const defaultKey = (world: MesWorld, segment: Segment) => {
  const name = apiKeyNames[segment];
  const known =
    world.endpoints.apiKeys.some((key) => key.name === name) || Boolean(world.endpoints.secrets?.[name]);
  return known ? world.apiKey(name) : undefined;
};

/**
 * created-to-priced of one order from its journey: from the create request to the time the state read
 * back gives at journey.state.at (when it was priced). The figure the gate's latency budgets check.
 */
export async function recordCreatedToDone(
  world: MesWorld,
  order: PlacedOrder,
  state: StateRead,
): Promise<void> {
  const path = world.journey.state.at;
  if (!path || state.outcome !== 'found') return;
  const at = valueAt(state.body, path);
  const doneAt = at.found && typeof at.value === 'string' ? Date.parse(at.value) : Number.NaN;
  if (Number.isNaN(doneAt)) return;
  const sentAt = order.answer.answeredAt - order.answer.elapsedMs;
  const figures = { [`created_to_priced_ms.${order.segment}`]: [Math.max(0, doneAt - sentAt)] };
  await world.attach(figuresBody(figures), figuresMediaType);
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
