// MES as an operator sees it: its order API (one order, the keyset list) and its metrics, over axios;
// every answer is shown to the answer observer it was given.
import axios from 'axios';
import { eventually } from '../wait/eventually.ts';
import { httpAnswerOf } from './axios-answer.ts';
import type { AnswerObserver } from './http-client.ts';

export interface MesOrder {
  id: string;
  customerId: string;
  segment: 'b2c' | 'b2b';
  currency: string;
  status: 'received' | 'pricing' | 'priced' | 'pricing_failed';
  totalCents: number | null;
  failureReason: string | null;
  createdAt: string;
  receivedAt: string;
  pricingRequestedAt: string | null;
  pricedAt: string | null;
}

export interface MesClient {
  /** The order, or undefined while MES does not know it. */
  findOrder(orderId: string): Promise<MesOrder | undefined>;
  /** One page, newest first; `nextCursor` (as `after`) asks for the next one, null on the last page. */
  listOrders(
    filters: Record<string, string | number>,
  ): Promise<{ orders: MesOrder[]; nextCursor: string | null }>;
  /** Resolves with the order once MES shows it in the state; at the deadline, fails with what MES showed. */
  waitForStatus(orderId: string, status: string, options: { within: number }): Promise<MesOrder>;
  /** The analytics panel's figures; with `since`, of the orders created from then on. */
  metrics(options?: { since?: string }): Promise<Record<string, unknown>>;
  /**
   * One read of the list's first page as an operator's screen makes it: its status, its time, and
   * which database answered (MES's x-mes-read-from header: replica or primary), never throwing.
   */
  readList(filters: Record<string, string | number>): Promise<ListRead>;
}

export interface ListRead {
  status: number;
  ms: number;
  readFrom: string | undefined;
  orders: MesOrder[];
}

export function createMesClient(baseUrl: string, options: { onAnswer?: AnswerObserver } = {}): MesClient {
  const http = axios.create({ baseURL: baseUrl, timeout: 10_000, validateStatus: () => true });
  const get = async <T>(path: string, params?: Record<string, string | number>) => {
    const began = performance.now();
    const response = await http.get<T>(path, { params });
    const query = params
      ? `?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)]))}`
      : '';
    options.onAnswer?.({ method: 'GET', path: `${path}${query}` }, httpAnswerOf(response, began));
    return response;
  };
  // Any 2xx carries what was asked for: whether it is the status MES declares is the contract check's call.
  const ok = <T>(what: string, response: { status: number; data: T }): T => {
    if (response.status < 200 || response.status > 299) {
      throw new Error(
        `MES ${what} answered ${response.status}: ${JSON.stringify(response.data).slice(0, 300)}`,
      );
    }
    return response.data;
  };
  const findOrder = async (orderId: string) => {
    const response = await get<MesOrder>(`/api/orders/${encodeURIComponent(orderId)}`);
    return response.status === 404 ? undefined : ok(`GET /api/orders/${orderId}`, response);
  };
  return {
    findOrder,
    listOrders: async (filters) => ok('GET /api/orders', await get('/api/orders', filters)),
    waitForStatus: (orderId, status, { within }) =>
      eventually(
        async () => {
          const order = await findOrder(orderId);
          if (order?.status === status) return order;
          throw new Error(order ? `MES shows it as ${order.status}` : 'MES does not know the order');
        },
        { within, description: `order ${orderId} ${status} in MES`, maxEvery: 200 },
      ),
    metrics: async ({ since } = {}) =>
      ok('GET /api/metrics', await get('/api/metrics', since === undefined ? undefined : { since })),
    async readList(filters) {
      const began = performance.now();
      const response = await get<{ orders?: MesOrder[] }>('/api/orders', filters);
      const header = response.headers['x-mes-read-from'];
      return {
        status: response.status,
        ms: performance.now() - began,
        readFrom: typeof header === 'string' ? header : undefined,
        orders: Array.isArray(response.data?.orders) ? response.data.orders : [],
      };
    },
  };
}
