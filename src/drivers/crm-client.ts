// The CRM as a client sees it: its versioned HTTP API over axios, every answer returned (status,
// headers, body, time taken) for the scenario to judge, never thrown for a 4xx or 5xx, and shown to the
// answer observer it was given.
import axios from 'axios';
import { httpAnswerOf } from './axios-answer.ts';
import type { AnswerObserver, HttpAnswer } from './http-client.ts';

export type { AnswerObserver, HttpAnswer };

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

async function call<T>(
  request: { method: string; path: string },
  send: () => Promise<{ status: number; headers: object; data: T }>,
  onAnswer: AnswerObserver | undefined,
) {
  const began = performance.now();
  const answer = httpAnswerOf(await send(), began);
  onAnswer?.(request, answer);
  return answer;
}

export function createCrmClient(baseUrl: string, options: { onAnswer?: AnswerObserver } = {}): CrmClient {
  // Every status is an answer to judge: a scenario asserts 4xx on purpose.
  const http = axios.create({ baseURL: baseUrl, timeout: 10_000, validateStatus: () => true });
  const { onAnswer } = options;
  return {
    placeOrder: (request) => {
      const path = `/${request.version}/orders`;
      return call(
        { method: 'POST', path },
        () =>
          http.post(path, request.body, {
            headers: {
              ...(request.apiKey === undefined ? {} : { 'x-api-key': request.apiKey }),
              ...(request.idempotencyKey ? { 'idempotency-key': request.idempotencyKey } : {}),
              ...(request.correlationId ? { 'x-correlation-id': request.correlationId } : {}),
            },
          }),
        onAnswer,
      );
    },
    getOrder: (version, orderId, apiKey) => {
      const path = `/${version}/orders/${encodeURIComponent(orderId)}`;
      return call(
        { method: 'GET', path },
        () => http.get(path, { headers: { 'x-api-key': apiKey } }),
        onAnswer,
      );
    },
  };
}
