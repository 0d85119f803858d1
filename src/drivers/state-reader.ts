// Reads an order's state back with the journey's state operation (method and path, the order id as
// its path parameter) from the component that serves it: what the journey's last hops are read from.
import type { HttpStep } from '../config/journey.ts';
import { type Endpoints, httpBaseUrlOf } from './endpoints.ts';
import { type AnswerObserver, sendHttp } from './http-client.ts';

/** The state read back: the answer's body, the component not knowing the order, or no usable answer. */
export type StateRead =
  | { outcome: 'found'; body: unknown; readAt: number }
  | { outcome: 'not found' }
  | { outcome: 'no answer'; why: string };

export interface StateOperation extends Pick<HttpStep, 'component' | 'method' | 'path'> {
  idParameter: string;
}

/** The operation's path with the id in its parameter (encoded, so an id cannot change the path). */
export function statePath(operation: StateOperation, id: string): string {
  return operation.path.replaceAll(`{${operation.idParameter}}`, encodeURIComponent(id));
}

export async function readState(
  endpoints: Endpoints,
  operation: StateOperation,
  id: string,
  options: { timeoutMs?: number; onAnswer?: AnswerObserver } = {},
): Promise<StateRead> {
  try {
    const answer = await sendHttp(
      {
        method: operation.method,
        baseUrl: httpBaseUrlOf(endpoints, operation.component),
        path: statePath(operation, id),
        headers: { accept: 'application/json' },
      },
      options,
    );
    if (answer.status === 404) return { outcome: 'not found' };
    if (answer.status < 200 || answer.status > 299)
      return {
        outcome: 'no answer',
        why: `answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`,
      };
    return { outcome: 'found', body: answer.body, readAt: answer.answeredAt };
  } catch (error) {
    return { outcome: 'no answer', why: (error as Error).message };
  }
}
