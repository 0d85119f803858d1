// MES as an operator sees it: its order API (one order, the keyset list) and its metrics, over axios.
import axios from 'axios';

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
  listOrders(filters: Record<string, string | number>): Promise<{ orders: MesOrder[]; next?: string | null }>;
  metrics(): Promise<Record<string, unknown>>;
}

export function createMesClient(baseUrl: string): MesClient {
  const http = axios.create({ baseURL: baseUrl, timeout: 10_000, validateStatus: () => true });
  const ok = <T>(what: string, response: { status: number; data: T }): T => {
    if (response.status !== 200) {
      throw new Error(
        `MES ${what} answered ${response.status}: ${JSON.stringify(response.data).slice(0, 300)}`,
      );
    }
    return response.data;
  };
  return {
    async findOrder(orderId) {
      const response = await http.get<MesOrder>(`/api/orders/${encodeURIComponent(orderId)}`);
      return response.status === 404 ? undefined : ok(`GET /api/orders/${orderId}`, response);
    },
    listOrders: async (filters) => ok('GET /api/orders', await http.get('/api/orders', { params: filters })),
    metrics: async () => ok('GET /api/metrics', await http.get('/api/metrics')),
  };
}
