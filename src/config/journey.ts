// Resolves the configuration's journey (the hops of one order) against the contracts: every operation
// and message it names exists, every JSON path parses and can find something in the schema it reads,
// every component is configured. The result is plain data: methods, paths, channels, exchanges.
import type { Contracts, JsonObject } from './contracts.ts';
import { jsonPathOfPointer, type PathSegment, parseJsonPath, valuesAt, whyNoMatch } from './json-path.ts';
import type { JourneyConfig } from './schema.ts';

export interface HttpStep {
  name: string;
  component: string;
  operationId: string;
  method: string;
  /** The operation's path template, e.g. /api/orders/{id}. */
  path: string;
}

/** Where a message is seen: an exchange and routing key (or pattern), or a queue. */
export interface BusChannel {
  id: string;
  /** The AsyncAPI channel address: a routing key (with {parameters}), or a queue name. */
  address: string | null;
  /** The values each {parameter} of the address may take, when the document lists them (its enum). */
  parameters?: Readonly<Record<string, readonly string[]>>;
  exchange?: { name: string; type: string | undefined };
  queue?: string;
}

export interface BusHop {
  kind: 'bus';
  name: string;
  component: string;
  /** The AsyncAPI operation named, if the hop named one. */
  operation: string | undefined;
  /** Any of these messages marks the hop (e.g. a price, or why there is none). */
  messages: readonly string[];
  channels: readonly BusChannel[];
  /** Where the business id sits in each message. */
  id: { in: 'payload' | 'headers'; path: string };
  /** Where its payload has the order's values (JSON paths), for tracing a wrong one to its hop. */
  carries: Readonly<Partial<Record<CarriedValue, string>>>;
}

/** The order's values a hop can carry and a scenario checks. */
export type CarriedValue = 'total' | 'currency';

export interface StateHop {
  kind: 'state';
  name: string;
  component: string;
  /** When it happened: a JSON path into the state read back. */
  at: string;
}

/** How a scenario's order becomes a request (src/journey/order-request.ts fills it in). */
export interface OrderRequestTemplate {
  body: unknown;
  headers: Readonly<Record<string, string>>;
  values: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** A create operation with its request, the statuses that mean "accepted" (its declared 2xx), and where its answer has the id. */
export type CreateStep = HttpStep & OrderRequestTemplate & { success: readonly number[]; id: string };

export interface Journey {
  create: CreateStep & {
    /** Other API versions, by name ("v1"): each its own operation and request. */
    versions: Readonly<Record<string, CreateStep>>;
  };
  /** Lists a customer's orders (the customer in a query parameter): undefined when not described. */
  list: (HttpStep & { customer: string; items: string; id: string }) | undefined;
  hops: ReadonlyArray<BusHop | StateHop>;
  state: HttpStep & {
    idParameter: string;
    id: string;
    state: string;
    total: string | undefined;
    currency: string | undefined;
    reason: string | undefined;
    at: string | undefined;
    states: { received: string[]; inProgress: string[]; done: string[]; failed: string[] };
  };
}

const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface FoundOperation {
  method: string;
  path: string;
  operation: JsonObject;
  pathParameters: string[];
}

const objectAt = (value: unknown): JsonObject | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;

function operationsOf(document: JsonObject): Map<string, FoundOperation> {
  const found = new Map<string, FoundOperation>();
  for (const [path, item] of Object.entries(objectAt(document.paths) ?? {})) {
    const pathItem = objectAt(item) ?? {};
    for (const method of methods) {
      const operation = objectAt(pathItem[method]);
      if (!operation || typeof operation.operationId !== 'string') continue;
      const parameters = [
        ...((pathItem.parameters as unknown[]) ?? []),
        ...((operation.parameters as unknown[]) ?? []),
      ].map(objectAt);
      const pathParameters = [
        ...new Set(parameters.filter((p) => p?.in === 'path').map((p) => String(p?.name))),
      ];
      found.set(operation.operationId, { method: method.toUpperCase(), path, operation, pathParameters });
    }
  }
  return found;
}

/** The JSON schemas of an operation's successful (2xx) JSON answers. */
function successSchemas(operation: JsonObject): unknown[] {
  return Object.entries(objectAt(operation.responses) ?? {})
    .filter(([status]) => /^2(\d\d|XX)$/i.test(status))
    .flatMap(([, response]) =>
      Object.entries(objectAt(objectAt(response)?.content) ?? {})
        .filter(([type]) => /json/i.test(type))
        .map(([, media]) => objectAt(media)?.schema),
    )
    .filter((schema) => schema !== undefined);
}

/** The statuses an operation declares as success (2XX counts as 200-299), in order. */
function successStatuses(operation: JsonObject): number[] {
  return Object.keys(objectAt(operation.responses) ?? {}).flatMap((status) => {
    if (/^2\d\d$/.test(status)) return [Number(status)];
    if (/^2XX$/i.test(status)) return Array.from({ length: 100 }, (_, i) => 200 + i);
    return [];
  });
}

const segmentsOf = (path: string): PathSegment[] => {
  const parsed = parseJsonPath(path);
  return 'segments' in parsed ? parsed.segments : [];
};

/** Why the path finds nothing in any of the schemas (each a possible shape), or undefined. */
function whyNoneMatch(schemas: readonly unknown[], path: string): string | undefined {
  if (schemas.length === 0) return undefined;
  const whys = schemas.map((schema) => whyNoMatch(schema as JsonObject, segmentsOf(path)));
  return whys.every((why) => why !== undefined) ? [...new Set(whys)].join('; ') : undefined;
}

const listed = (names: Iterable<string>) => [...names].join(', ') || 'none';

interface Context {
  contracts: Contracts;
  components: readonly string[];
  /** "{secret.<name>}" a create request may name. */
  secretNames: readonly string[];
  problems: string[];
}

function checkComponent(context: Context, key: string, component: string): boolean {
  if (context.components.includes(component)) return true;
  context.problems.push(
    `${key}: no component "${component}" in the configuration; it has: ${listed(context.components)}`,
  );
  return false;
}

function httpStep(
  context: Context,
  key: string,
  step: { name?: string | undefined; component: string; operationId: string },
  defaultName: string,
): (HttpStep & { found: FoundOperation }) | undefined {
  if (!checkComponent(context, `${key}.component`, step.component)) return undefined;
  const contract = context.contracts.openapi[step.component];
  if (!contract) {
    context.problems.push(
      `${key}.component: "${step.component}" has no OpenAPI document in contracts.openapi; it has one for: ${listed(Object.keys(context.contracts.openapi))}`,
    );
    return undefined;
  }
  const operations = operationsOf(contract.document);
  const found = operations.get(step.operationId);
  if (!found) {
    context.problems.push(
      `${key}.operationId: no operation "${step.operationId}" in the OpenAPI document of ${step.component} (${contract.file}); it has: ${listed(operations.keys())}`,
    );
    return undefined;
  }
  return {
    name: step.name ?? defaultName,
    component: step.component,
    operationId: step.operationId,
    method: found.method,
    path: found.path,
    found,
  };
}

/** What a create request's templates may name (src/journey/order-request.ts fills them in). */
const orderNames = ['order.customerId', 'order.segment', 'order.currency', 'order.apiKey'];
const lineNames = ['line.sku', 'line.quantity'];

/** Each placeholder in a body or header template names something an order has, at the key it sits. */
function checkTemplate(context: Context, key: string, template: unknown, inLine = false): void {
  if (typeof template === 'string') {
    const secrets = context.secretNames.map((name) => `secret.${name}`);
    const known = [...orderNames, ...secrets, ...(inLine ? lineNames : [])];
    for (const [, name] of template.matchAll(/\{([A-Za-z][\w.-]*)\}/g))
      if (name !== undefined && !known.includes(name))
        context.problems.push(
          `${key}: "{${name}}" names nothing an order has; it may name ${known.map((n) => `{${n}}`).join(', ')}${inLine ? '' : ', and {line.sku}, {line.quantity} in an array item with "{each}": "order.lines"'}`,
        );
    return;
  }
  if (template === null || typeof template !== 'object') return;
  const each = !Array.isArray(template) && '{each}' in template;
  if (each && (template as Record<string, unknown>)['{each}'] !== 'order.lines')
    context.problems.push(`${key}.{each}: expected "order.lines"`);
  for (const [inner, value] of Object.entries(template))
    if (inner !== '{each}') checkTemplate(context, `${key}.${inner}`, value, inLine || each);
}

/** A create operation as the journey runs it: plain data, with its request template and success statuses. */
function createStep(
  step: HttpStep & { found: FoundOperation },
  request: {
    body?: unknown;
    headers?: Record<string, string>;
    values?: Record<string, Record<string, string>>;
  },
  id: string,
): CreateStep {
  const { found, ...plain } = step;
  return {
    ...plain,
    id,
    body: request.body,
    headers: { ...request.headers },
    values: structuredClone(request.values ?? {}),
    success: successStatuses(found.operation),
  };
}

function listStep(
  context: Context,
  list: NonNullable<JourneyConfig['list']>,
): (HttpStep & { customer: string; items: string; id: string }) | undefined {
  const step = httpStep(context, 'journey.list', list, list.operationId);
  if (!step) return undefined;
  const { found, ...plain } = step;
  const parameters = [...((found.operation.parameters as unknown[]) ?? []).map(objectAt)]
    .filter((parameter) => parameter?.in === 'query')
    .map((parameter) => String(parameter?.name));
  if (!parameters.includes(list.customer))
    context.problems.push(
      `journey.list.customer: ${list.operationId} (${step.method} ${step.path}) has no query parameter "${list.customer}"; it has: ${listed(parameters)}`,
    );
  const what = `the answer of ${list.operationId} (${context.contracts.openapi[list.component]?.file})`;
  checkPath(context, 'journey.list.items', successSchemas(found.operation), list.items, what);
  return { ...plain, customer: list.customer, items: list.items, id: list.id };
}

function checkPath(context: Context, key: string, schemas: readonly unknown[], path: string, what: string) {
  const why = whyNoneMatch(schemas, path);
  if (why) context.problems.push(`${key}: "${path}" can match nothing in ${what}: ${why}`);
}

interface AsyncApiMessage {
  id: string;
  message: JsonObject;
  channels: BusChannel[];
}

/** A channel of the AsyncAPI document as plain data: its address and parameters' values, exchange or queue. */
export function busChannel(id: string, channel: JsonObject): BusChannel {
  const amqp = objectAt(objectAt(channel.bindings)?.amqp);
  const exchange = objectAt(amqp?.exchange);
  const queue = objectAt(amqp?.queue);
  const parameters: Record<string, string[]> = {};
  for (const [name, parameter] of Object.entries(objectAt(channel.parameters) ?? {})) {
    const values = objectAt(parameter)?.enum;
    if (Array.isArray(values)) parameters[name] = values.map(String);
  }
  return {
    id,
    address: typeof channel.address === 'string' ? channel.address : null,
    ...(Object.keys(parameters).length > 0 ? { parameters } : {}),
    ...(amqp?.is !== 'queue' && exchange && typeof exchange.name === 'string'
      ? {
          exchange: {
            name: exchange.name,
            type: typeof exchange.type === 'string' ? exchange.type : undefined,
          },
        }
      : {}),
    ...(amqp?.is === 'queue'
      ? { queue: typeof queue?.name === 'string' ? queue.name : String(channel.address) }
      : {}),
  };
}

/** Every message of the document by id (its key under components.messages or a channel's messages). */
function messagesOf(document: JsonObject): Map<string, AsyncApiMessage> {
  const found = new Map<string, AsyncApiMessage>();
  for (const [id, message] of Object.entries(objectAt(objectAt(document.components)?.messages) ?? {}))
    found.set(id, { id, message: objectAt(message) ?? {}, channels: [] });
  for (const [channelId, channel] of Object.entries(objectAt(document.channels) ?? {})) {
    for (const [id, message] of Object.entries(objectAt(objectAt(channel)?.messages) ?? {})) {
      const entry = found.get(id) ?? { id, message: objectAt(message) ?? {}, channels: [] };
      entry.channels.push(busChannel(channelId, objectAt(channel) ?? {}));
      found.set(id, entry);
    }
  }
  return found;
}

/** The id of a message the operation lists: the key its channel gives it (the parser keeps it). */
function messageIdOf(document: JsonObject, channel: JsonObject, message: unknown): string | undefined {
  for (const [id, candidate] of Object.entries(objectAt(channel.messages) ?? {}))
    if (JSON.stringify(candidate) === JSON.stringify(message)) return id;
  for (const [id, candidate] of Object.entries(objectAt(objectAt(document.components)?.messages) ?? {}))
    if (JSON.stringify(candidate) === JSON.stringify(message)) return id;
  return undefined;
}

function channelIdOf(document: JsonObject, channel: JsonObject): string {
  for (const [id, candidate] of Object.entries(objectAt(document.channels) ?? {}))
    if (JSON.stringify(candidate) === JSON.stringify(channel)) return id;
  return String(channel.address);
}

function busHop(context: Context, key: string, hop: JourneyConfig['hops'][number]): BusHop | undefined {
  const { document, file } = context.contracts.asyncapi;
  const componentKnown = checkComponent(context, `${key}.component`, hop.component);
  const messages = messagesOf(document);
  let chosen: Array<{ id: string; message: JsonObject }>;
  let channels: BusChannel[];
  if (hop.operation !== undefined) {
    const operations = objectAt(document.operations) ?? {};
    const operation = objectAt(operations[hop.operation]);
    if (!operation) {
      context.problems.push(
        `${key}.operation: no operation "${hop.operation}" in the AsyncAPI document ${file}; it has: ${listed(Object.keys(operations))}`,
      );
      return undefined;
    }
    const channel = objectAt(operation.channel) ?? {};
    const listedMessages = Array.isArray(operation.messages)
      ? operation.messages
      : Object.values(objectAt(channel.messages) ?? {});
    chosen = listedMessages.map((message) => ({
      id: messageIdOf(document, channel, message) ?? '(anonymous)',
      message: objectAt(message) ?? {},
    }));
    channels = [busChannel(channelIdOf(document, channel), channel)];
  } else {
    const found = messages.get(hop.message ?? '');
    if (!found) {
      context.problems.push(
        `${key}.message: no message "${hop.message}" in the AsyncAPI document ${file}; it has: ${listed(messages.keys())}`,
      );
      return undefined;
    }
    chosen = [found];
    channels = found.channels;
  }
  const id = busHopId(context, key, hop, chosen, file);
  const payloads = chosen.map(({ message }) => message.payload ?? true);
  const what = `the payload of ${chosen.map(({ id }) => id).join(' or ')} (${file})`;
  for (const [value, path] of Object.entries(hop.carries ?? {}))
    if (path !== undefined) checkPath(context, `${key}.carries.${value}`, payloads, path, what);
  if (!id || !componentKnown) return undefined;
  return {
    kind: 'bus',
    name: hop.name ?? hop.operation ?? hop.message ?? '',
    component: hop.component,
    operation: hop.operation,
    messages: chosen.map(({ id }) => id),
    channels,
    id,
    carries: { ...hop.carries },
  };
}

/** The business id's place: the hop's JSON path, or the messages' correlationId (which must agree). */
function busHopId(
  context: Context,
  key: string,
  hop: JourneyConfig['hops'][number],
  chosen: ReadonlyArray<{ id: string; message: JsonObject }>,
  file: string,
): BusHop['id'] | undefined {
  if (hop.id !== undefined) {
    checkPath(
      context,
      `${key}.id`,
      chosen.map(({ message }) => message.payload ?? true),
      hop.id,
      `the payload of ${chosen.map(({ id }) => id).join(' or ')} (${file})`,
    );
    return { in: 'payload', path: hop.id };
  }
  const locations = chosen.map(({ message }) => objectAt(message.correlationId)?.location);
  const first = locations[0];
  const parsed = typeof first === 'string' ? /^\$message\.(payload|header)#(.*)$/.exec(first) : null;
  if (!parsed || locations.some((location) => location !== first)) {
    context.problems.push(
      `${key}.id: ${chosen.map(({ id }) => id).join(', ')} in ${file} ${
        parsed
          ? 'do not share one correlationId location'
          : 'has no correlationId with a $message.payload# or $message.header# location'
      }; give the JSON path of the business id in the payload (e.g. "id": "$.orderId")`,
    );
    return undefined;
  }
  return { in: parsed[1] === 'header' ? 'headers' : 'payload', path: jsonPathOfPointer(parsed[2] ?? '') };
}

/** The journey with everything it names found in the contracts, or the problems (pushed to `problems`). */
export function resolveJourney(
  journey: JourneyConfig,
  contracts: Contracts,
  components: readonly string[],
  problems: string[],
  secretNames: readonly string[] = [],
): Journey | undefined {
  const context: Context = { contracts, components, problems, secretNames };
  const before = problems.length;

  const create = httpStep(context, 'journey.create', journey.create, journey.create.operationId);
  for (const [key, request] of [
    ['journey.create', journey.create],
    ...Object.entries(journey.create.versions ?? {}).map(
      ([v, r]) => [`journey.create.versions.${v}`, r] as const,
    ),
  ] as const) {
    checkTemplate(context, `${key}.body`, request.body);
    checkTemplate(context, `${key}.headers`, request.headers);
  }
  if (create)
    checkPath(
      context,
      'journey.create.id',
      successSchemas(create.found.operation),
      journey.create.id,
      `the answer of ${create.operationId} (${contracts.openapi[create.component]?.file})`,
    );

  const versions = Object.entries(journey.create.versions ?? {}).map(([version, variant]) => {
    const key = `journey.create.versions.${version}`;
    const step = httpStep(
      context,
      key,
      { ...variant, component: journey.create.component },
      variant.operationId,
    );
    if (!step) return undefined;
    const id = variant.id ?? journey.create.id;
    checkPath(
      context,
      `${key}.id`,
      successSchemas(step.found.operation),
      id,
      `the answer of ${step.operationId} (${contracts.openapi[step.component]?.file})`,
    );
    return [version, createStep(step, variant, id)] as const;
  });
  const list = journey.list && listStep(context, journey.list);

  const state = httpStep(context, 'journey.state', journey.state, journey.state.operationId);
  let idParameter = journey.state.idParameter;
  if (state) {
    const { pathParameters, operation } = state.found;
    const where = `${state.operationId} (${state.method} ${state.path})`;
    if (idParameter !== undefined && !pathParameters.includes(idParameter))
      problems.push(
        `journey.state.idParameter: ${where} has no path parameter "${idParameter}"; it has: ${listed(pathParameters)}`,
      );
    else if (idParameter === undefined && pathParameters.length !== 1)
      problems.push(
        pathParameters.length === 0
          ? `journey.state.operationId: ${where} has no path parameter to put the order id in`
          : `journey.state.idParameter: ${where} has path parameters ${listed(pathParameters)}; name the one that takes the order id`,
      );
    idParameter ??= pathParameters[0];
    const schemas = successSchemas(operation);
    const what = `the answer of ${state.operationId} (${contracts.openapi[state.component]?.file})`;
    for (const field of ['id', 'state', 'total', 'currency', 'reason', 'at'] as const) {
      const path = journey.state[field];
      if (path !== undefined) checkPath(context, `journey.state.${field}`, schemas, path, what);
    }
    journey.hops.forEach((hop, index) => {
      if (hop.at !== undefined) checkPath(context, `journey.hops.${index}.at`, schemas, hop.at, what);
    });
    checkStateValues(context, journey.state, schemas, what);
  }

  const hops = journey.hops.map((hop, index): BusHop | StateHop | undefined => {
    const key = `journey.hops.${index}`;
    if (hop.at !== undefined) {
      checkComponent(context, `${key}.component`, hop.component);
      return {
        kind: 'state',
        name: hop.name ?? `${hop.component} ${hop.at}`,
        component: hop.component,
        at: hop.at,
      };
    }
    return busHop(context, key, hop);
  });

  if (problems.length > before || !create || !state || idParameter === undefined) return undefined;
  const { found: _read, ...stateStep } = state;
  return {
    create: {
      ...createStep(create, journey.create, journey.create.id),
      versions: Object.fromEntries(versions.filter((entry) => entry !== undefined)),
    },
    list,
    hops: hops.filter((hop) => hop !== undefined),
    state: {
      ...stateStep,
      idParameter,
      id: journey.state.id,
      state: journey.state.state,
      total: journey.state.total,
      currency: journey.state.currency,
      reason: journey.state.reason,
      at: journey.state.at,
      states: {
        received: [...journey.state.states.received],
        inProgress: [...journey.state.states.inProgress],
        done: [...journey.state.states.done],
        failed: [...journey.state.states.failed],
      },
    },
  };
}

/** Each state value is one the answer can have (when its schema lists them), and means one stage only. */
function checkStateValues(
  context: Context,
  state: JourneyConfig['state'],
  schemas: readonly unknown[],
  what: string,
) {
  const possible = schemas.map((schema) => valuesAt(schema as JsonObject, segmentsOf(state.state)));
  const allowed =
    possible.every((values) => values !== undefined) && possible.length > 0
      ? new Set(possible.flat())
      : undefined;
  const seen = new Map<string, string>();
  for (const [stage, values] of Object.entries(state.states)) {
    for (const value of values) {
      const earlier = seen.get(value);
      if (earlier)
        context.problems.push(`journey.state.states.${stage}: "${value}" is also listed under ${earlier}`);
      seen.set(value, stage);
      if (allowed && !allowed.has(value))
        context.problems.push(
          `journey.state.states.${stage}: "${value}" is not a value ${state.state} can have in ${what}; it can be: ${listed([...allowed].map(String))}`,
        );
    }
  }
}
