// A scenario's order ("a B2C customer orders 2 x LAMP in EUR") as the create request of the pipeline
// at hand: the journey's body and header templates filled in, the harness's words translated into
// the pipeline's own (b2c -> consumer), one array item per order line.
import type { CreateStep, Journey } from '../config/journey.ts';

export interface ScenarioOrder {
  customerId: string;
  segment: string;
  currency: string;
  lines: ReadonlyArray<{ sku: string; quantity: number }>;
  /** The client's key where the pipeline takes one (the reference CRM's generated keys). */
  apiKey?: string | undefined;
}

/** The run's secrets by name: "{secret.<name>}" in a create request. */
export type Secrets = Readonly<Record<string, string>>;

export interface OrderRequest {
  /** The create operation used (the version's, or the journey's own). */
  step: CreateStep;
  headers: Record<string, string>;
  body: unknown;
}

type Scope = ReadonlyMap<string, unknown>;

const whole = /^\{([A-Za-z][\w.-]*)\}$/;
const inside = /\{([A-Za-z][\w.-]*)\}/g;
/** The key of an array item that stands for one item per element of a list ("order.lines"). */
const eachKey = '{each}';

export class OrderTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OrderTemplateError';
  }
}

function scopeOf(step: CreateStep, order: ScenarioOrder, secrets: Secrets): Map<string, unknown> {
  const translated = (name: string, value: string) => step.values[name]?.[value] ?? value;
  return new Map<string, unknown>([
    ...Object.entries(secrets).map(([name, value]): [string, unknown] => [`secret.${name}`, value]),
    ['order.customerId', order.customerId],
    ['order.segment', translated('order.segment', order.segment)],
    ['order.currency', translated('order.currency', order.currency)],
    ['order.apiKey', order.apiKey],
    [
      'order.lines',
      order.lines.map((line) => ({ sku: translated('line.sku', line.sku), quantity: line.quantity })),
    ],
  ]);
}

const lineScope = (scope: Scope, line: { sku: string; quantity: number }): Scope =>
  new Map([...scope, ['line.sku', line.sku], ['line.quantity', line.quantity]]);

function valueNamed(scope: Scope, name: string, where: string): unknown {
  const value = scope.get(name);
  if (value === undefined)
    throw new OrderTemplateError(
      `${where}: "{${name}}" names nothing this order has; it may name ${[...scope.keys()].map((n) => `{${n}}`).join(', ')}`,
    );
  return value;
}

/** A template value filled in: "{name}" alone keeps the value's type (a number stays a number). */
function fill(template: unknown, scope: Scope, where: string): unknown {
  if (typeof template === 'string') {
    const name = whole.exec(template)?.[1];
    if (name !== undefined) return valueNamed(scope, name, where);
    return template.replace(inside, (_, inner: string) => String(valueNamed(scope, inner, where)));
  }
  if (Array.isArray(template))
    return template.flatMap((item, index) => fillItem(item, scope, `${where}[${index}]`));
  if (template !== null && typeof template === 'object')
    return Object.fromEntries(
      Object.entries(template).map(([key, value]) => [key, fill(value, scope, `${where}.${key}`)]),
    );
  return template;
}

/** An array item: itself, or one per line when it says { "{each}": "order.lines", ... }. */
function fillItem(item: unknown, scope: Scope, where: string): unknown[] {
  if (item === null || typeof item !== 'object' || Array.isArray(item) || !(eachKey in item))
    return [fill(item, scope, where)];
  const { [eachKey]: listName, ...shape } = item as Record<string, unknown>;
  if (listName !== 'order.lines')
    throw new OrderTemplateError(`${where}: "{each}" takes "order.lines", not ${JSON.stringify(listName)}`);
  const lines = scope.get('order.lines') as Array<{ sku: string; quantity: number }>;
  return lines.map((line) => fill(shape, lineScope(scope, line), where));
}

/** The create request for the order; a header whose template names a value the order lacks is left out. */
export function orderRequest(
  journey: Journey,
  order: ScenarioOrder,
  version?: string,
  secrets: Secrets = {},
): OrderRequest {
  const step = (version ? journey.create.versions[version] : undefined) ?? journey.create;
  const scope = scopeOf(step, order, secrets);
  const headers: Record<string, string> = {};
  for (const [name, template] of Object.entries(step.headers)) {
    try {
      headers[name] = String(fill(template, scope, `journey.create.headers.${name}`));
    } catch (error) {
      if (!(error instanceof OrderTemplateError)) throw error;
    }
  }
  return {
    step,
    headers,
    body: step.body === undefined ? undefined : fill(step.body, scope, 'journey.create.body'),
  };
}
