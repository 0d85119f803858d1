// Places orders through the product's CRM client for tests that need a batch of them.
import { orderBody } from '../../fixtures/orders.ts';
import type { CrmClient } from '../../src/drivers/crm-client.ts';

/** Places `count` v2 orders for one customer, one after the other, and returns their ids; each must be accepted. */
export async function placeOrders(
  crm: CrmClient,
  count: number,
  order: {
    apiKey: string;
    customer: string;
    sku: string;
    quantity?: (i: number) => number;
    currency?: string;
  },
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const answer = await crm.placeOrder({
      version: 'v2',
      apiKey: order.apiKey,
      body: orderBody(
        'v2',
        order.customer,
        [{ sku: order.sku, quantity: order.quantity?.(i) ?? 1 }],
        order.currency ?? 'EUR',
      ),
    });
    if (answer.status !== 201)
      throw new Error(`CRM answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    ids.push((answer.body as { id: string }).id);
  }
  return ids;
}
