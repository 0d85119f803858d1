// Reads MES the way the dashboard does, and waits for orders to reach a state.
import { eventually } from '../../src/wait/eventually.ts';
import type { ServiceProcess } from './service-process.ts';

export interface MesOrderView {
  id: string;
  status: string;
  segment: string;
  customerId: string;
  totalCents: number | null;
  currency: string;
  failureReason: string | null;
  createdAt: string;
  receivedAt: string;
  pricingRequestedAt: string | null;
  pricedAt: string | null;
}

export async function getJson<T>(
  service: ServiceProcess,
  path: string,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${service.url}${path}`);
  return { status: response.status, body: (await response.json()) as T };
}

export function waitForOrderStatus(
  mes: ServiceProcess,
  id: string,
  status: string,
  within = 15_000,
): Promise<MesOrderView> {
  return eventually(
    async () => {
      const { status: code, body } = await getJson<MesOrderView>(mes, `/api/orders/${id}`);
      if (code === 200 && body.status === status) return body;
      throw new Error(code === 200 ? `status ${body.status}` : `HTTP ${code}`);
    },
    { within, description: `order ${id} ${status} in MES` },
  );
}
