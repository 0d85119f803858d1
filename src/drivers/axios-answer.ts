// An axios response as the drivers' HttpAnswer (header names in lower case, the body as axios parsed
// it, when it arrived and how long it took): what the CRM and MES clients return and show observers.
import type { HttpAnswer } from './http-client.ts';

function headersOf(raw: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(raw).flatMap(([name, value]) =>
      value === undefined || value === null ? [] : [[name.toLowerCase(), String(value)]],
    ),
  );
}

/** `began` is the performance.now() of the request. */
export function httpAnswerOf<T>(
  response: { status: number; headers: object; data: T },
  began: number,
): HttpAnswer<T> {
  return {
    status: response.status,
    headers: headersOf(response.headers as Record<string, unknown>),
    body: response.data,
    answeredAt: Date.now(),
    elapsedMs: performance.now() - began,
  };
}
