// Starts the reference services (CRM, MES, pricing) as processes on an isolated backend, with test API keys.
import type { IsolatedBackend } from './backend.ts';
import { type ServiceName, type ServiceProcess, startService } from './service-process.ts';

export const apiKeys = {
  b2cWeb: { name: 'b2c-web', key: 'test-key-b2c-web-0001', segment: 'b2c' },
  b2bPortal: { name: 'b2b-portal', key: 'test-key-b2b-portal-0001', segment: 'b2b' },
  partner: { name: 'partner-acme', key: 'test-key-partner-acme-0001', segment: 'b2b', requestsPerWindow: 3 },
  otherPartner: {
    name: 'partner-globex',
    key: 'test-key-partner-globex-01',
    segment: 'b2b',
    requestsPerWindow: 3,
  },
} as const;

export function serviceEnv(name: ServiceName, backend: IsolatedBackend, extra: Record<string, string> = {}) {
  const common = { AMQP_URL: backend.amqpUrl, DATABASE_URL: backend.databaseUrl };
  switch (name) {
    case 'crm':
      return { ...common, CRM_API_KEYS: JSON.stringify(Object.values(apiKeys)), ...extra };
    case 'mes':
      return {
        ...common,
        RABBITMQ_MANAGEMENT_URL: backend.managementUrl,
        RABBITMQ_VHOST: backend.vhost,
        ...extra,
      };
    case 'pricing':
      return { AMQP_URL: backend.amqpUrl, PRICING_COST_MS: '5', ...extra };
  }
}

export interface ReferenceStack {
  crm?: ServiceProcess;
  mes?: ServiceProcess;
  pricing?: ServiceProcess;
  stop(): Promise<void>;
}

export async function startReferenceStack(
  backend: IsolatedBackend,
  names: readonly ServiceName[],
  extra: Partial<Record<ServiceName, Record<string, string>>> = {},
): Promise<ReferenceStack> {
  const starts = await Promise.allSettled(
    names.map((name) => startService(name, serviceEnv(name, backend, extra[name]))),
  );
  const started = starts.flatMap((start) => (start.status === 'fulfilled' ? [start.value] : []));
  const failure = starts.find((start) => start.status === 'rejected');
  if (failure) {
    // The others would keep the test process alive: stop them before failing.
    await Promise.all(started.map((service) => service.kill()));
    throw failure.reason;
  }
  const stack: ReferenceStack = {
    /** Stops what still runs with SIGTERM; a service that does not exit 0 is a failure (a stuck shutdown). */
    async stop() {
      const running = [stack.crm, stack.mes, stack.pricing].filter(
        (service): service is ServiceProcess => service !== undefined && !service.hasExited(),
      );
      const codes = await Promise.all(running.map((service) => service.stop()));
      const failed = running.filter((_, i) => codes[i] !== 0);
      if (failed.length > 0) {
        const detail = failed.map((s) => `${s.name}: ${JSON.stringify(s.logs.slice(-8))}`).join('\n');
        throw new Error(`services did not stop cleanly on SIGTERM:\n${detail}`);
      }
    },
  };
  for (const service of started) stack[service.name] = service;
  return stack;
}

/** Calls the CRM like a client does. */
export async function callCrm(
  crm: ServiceProcess,
  method: 'GET' | 'POST',
  path: string,
  options: { key?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers['x-api-key'] = options.key;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${crm.url}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** Places `count` v2 orders for one customer through the CRM and returns their ids (each must be accepted). */
export async function placeOrders(
  crm: ServiceProcess,
  count: number,
  order: { key: string; customer: string; sku: string; quantity?: (i: number) => number },
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await callCrm(crm, 'POST', '/v2/orders', {
      key: order.key,
      body: {
        customer: { id: order.customer },
        lines: [{ sku: order.sku, quantity: order.quantity?.(i) ?? 1 }],
        currency: 'EUR',
      },
    });
    if (res.status !== 201) throw new Error(`CRM answered ${res.status}: ${JSON.stringify(res.body)}`);
    ids.push(res.body.id as string);
  }
  return ids;
}
