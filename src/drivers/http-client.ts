// Any HTTP request to any component, as a QA engineer writes it (method, path, headers, JSON body):
// every answer is returned (status, headers, parsed body, time taken), never thrown for a 4xx or 5xx,
// and shown to the caller's answer observer (the scenario's contract checks) before it is returned.

export interface HttpAnswer<T = unknown> {
  status: number;
  headers: Readonly<Record<string, string>>;
  body: T;
  /** When the answer arrived (epoch ms) and how long the call took. */
  answeredAt: number;
  elapsedMs: number;
}

export interface HttpRequest {
  method: string;
  /** The component's base URL; `path` is appended to it (a base path such as /crm is kept). */
  baseUrl: string;
  path: string;
  headers: Readonly<Record<string, string>>;
  /** Sent as JSON when given. */
  json?: unknown;
}

/**
 * Told of every answer a driver gets, with the request it answers (its path relative to the
 * component's base URL, query included): how a scenario checks each answer against the component's
 * contract without the drivers knowing of scenarios.
 */
export type AnswerObserver = (request: { method: string; path: string }, answer: HttpAnswer) => void;

export class NoHttpAnswerError extends Error {
  readonly code = 'NO_HTTP_ANSWER';
  constructor(what: string, cause: unknown) {
    super(`${what}: no answer (${(cause as Error).cause ?? (cause as Error).message})`, { cause });
    this.name = 'NoHttpAnswerError';
  }
}

export function urlOf(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** The body parsed as JSON when it is JSON (whatever the content type claims); otherwise its text. */
function bodyOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function sendHttp(
  request: HttpRequest,
  options: { timeoutMs?: number; onAnswer?: AnswerObserver } = {},
): Promise<HttpAnswer> {
  const url = urlOf(request.baseUrl, request.path);
  const headers: Record<string, string> = { ...request.headers };
  const hasBody = request.json !== undefined;
  if (hasBody && !Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
    headers['content-type'] = 'application/json';
  }
  const began = performance.now();
  let response: Response;
  try {
    response = await fetch(url, {
      method: request.method,
      headers,
      ...(hasBody ? { body: JSON.stringify(request.json) } : {}),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw new NoHttpAnswerError(`${request.method} ${request.path}`, error);
  }
  const text = await response.text();
  const answer: HttpAnswer = {
    status: response.status,
    headers: Object.fromEntries([...response.headers].map(([name, value]) => [name.toLowerCase(), value])),
    body: bodyOf(text),
    answeredAt: Date.now(),
    elapsedMs: performance.now() - began,
  };
  options.onAnswer?.({ method: request.method, path: request.path }, answer);
  return answer;
}
