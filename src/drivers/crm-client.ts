// The CRM as a client sees it: its versioned HTTP API over axios, every answer returned (status,
// headers, body, time taken) for the scenario to judge, never thrown for a 4xx or 5xx.
import axios from 'axios';
import type { HttpAnswer } from './http-client.ts';

export type { HttpAnswer };

export type ApiVersion = 'v1' | 'v2';

export interface PlaceOrderRequest {
  version: ApiVersion | string;
  apiKey: string | undefined;
  body: unknown;
  idempotencyKey?: string | undefined;
  correlationId?: string | undefined;
}

export interface CrmClient {
  placeOrder(request: PlaceOrderRequest): Promise<HttpAnswer>;
  getOrder(version: ApiVersion, orderId: string, apiKey: string): Promise<HttpAnswer>;
}

function headersOf(raw: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(raw).flatMap(([name, value]) =>
      value === undefined || value === null ? [] : [[name.toLowerCase(), String(value)]],
    ),
  );
}

async function call<T>(send: () => Promise<{ status: number; headers: object; data: T }>) {
  const began = performance.now();
  const response = await send();
  return {
    status: response.status,
    headers: headersOf(response.headers as Record<string, unknown>),
    body: response.data,
    answeredAt: Date.now(),
    elapsedMs: performance.now() - began,
  } satisfies HttpAnswer<T>;
}

export function createCrmClient(baseUrl: string): CrmClient {
  // Every status is an answer to judge: a scenario asserts 4xx on purpose.
  const http = axios.create({ baseURL: baseUrl, timeout: 10_000, validateStatus: () => true });
  return {
    placeOrder: (request) =>
      call(() =>
        http.post(`/${request.version}/orders`, request.body, {
          headers: {
            ...(request.apiKey === undefined ? {} : { 'x-api-key': request.apiKey }),
            ...(request.idempotencyKey ? { 'idempotency-key': request.idempotencyKey } : {}),
            ...(request.correlationId ? { 'x-correlation-id': request.correlationId } : {}),
          },
        }),
      ),
    getOrder: (version, orderId, apiKey) =>
      call(() =>
        http.get(`/${version}/orders/${encodeURIComponent(orderId)}`, { headers: { 'x-api-key': apiKey } }),
      ),
  };
}
