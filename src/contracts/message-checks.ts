// Checks one message seen on the bus against the AsyncAPI document: its exchange and routing key
// belong to a channel, its payload and headers match the message's schemas, and it carries what the
// document asks of it (the correlation id where `correlationId.location` says, the content type,
// the AMQP `type` of the message binding, the delivery mode of the send operation, the AMQP
// properties listed in `x-amqp-properties`). A dead letter is checked only against what its
// dead-letter channel says: its body is, by definition, one its consumer could not process.
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { JsonObject } from '../config/contracts.ts';
import { busChannel } from '../config/journey.ts';
import { routingKeyMatches } from '../drivers/topic-pattern.ts';
import { deadLetterExchangesOf, routingKeysOf } from '../journey/bus-watch.ts';
import type { Violation } from './violations.ts';

/** A message as the bus observer saw it. */
export interface WireMessage {
  exchange: string;
  routingKey: string;
  headers: Readonly<Record<string, unknown>>;
  /** Parsed JSON, or the text when the body is not JSON. */
  body: unknown;
  messageId?: string | undefined;
  correlationId?: string | undefined;
  contentType?: string | undefined;
  type?: string | undefined;
  deliveryMode?: number | undefined;
  priority?: number | undefined;
  timestamp?: number | undefined;
}

interface MessageRules {
  id: string;
  payload: ValidateFunction | undefined;
  headers: ValidateFunction | undefined;
  /** `$message.payload#/orderId` -> { in: payload, pointer: /orderId } */
  correlationId: { in: 'payload' | 'header'; pointer: string } | undefined;
  contentType: string | undefined;
  messageType: string | undefined;
  properties: readonly string[];
}

interface ChannelRules {
  id: string;
  exchange: string;
  /** Topic patterns the channel's address stands for; undefined for fanout and headers exchanges. */
  keys: readonly string[] | undefined;
  messages: readonly MessageRules[];
  /** The delivery mode the document's send operations on this channel ask for. */
  deliveryMode: number | undefined;
}

export interface MessageChecks {
  /** What is wrong with the message; empty when it keeps the contract. */
  check(message: WireMessage): Violation[];
  /** Whether it arrived on one of the document's dead-letter exchanges. */
  isDeadLetter(message: WireMessage): boolean;
  /** The channel the message belongs to, by id, or undefined when none of the document's does. */
  channelOf(message: WireMessage): string | undefined;
}

const objectAt = (value: unknown): JsonObject | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;

const stringAt = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

// A CommonJS package: Node's default import is its module.exports (the plugin itself), which
// TypeScript types as the module object.
const addFormats = ajvFormats as unknown as typeof ajvFormats.default;

function newValidator(): Ajv {
  // AsyncAPI schemas are JSON Schema draft 7 with a few keywords of their own (discriminator,
  // externalDocs, deprecated, examples): strict mode would refuse them, so unknown keywords are ignored.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  return ajv;
}

/** A schema to compile, or undefined when there is nothing to check (no schema, or another schema format). */
function jsonSchemaOf(value: unknown): JsonObject | boolean | undefined {
  if (typeof value === 'boolean') return value;
  const schema = objectAt(value);
  if (!schema) return undefined;
  // A multi-format schema object: only JSON Schema and AsyncAPI schemas are JSON Schema.
  if (typeof schema.schemaFormat === 'string') {
    const format = schema.schemaFormat;
    const isJsonSchema = /^application\/(schema|vnd\.aai\.asyncapi)(\+json|\+yaml)?/.test(format);
    return isJsonSchema ? jsonSchemaOf(schema.schema) : undefined;
  }
  return Object.keys(schema).length === 0 ? undefined : schema;
}

function correlationIdOf(message: JsonObject): MessageRules['correlationId'] {
  const location = stringAt(objectAt(message.correlationId)?.location);
  const match = location ? /^\$message\.(payload|header)(?:#(.*))?$/.exec(location) : null;
  if (!match) return undefined;
  return { in: match[1] === 'header' ? 'header' : 'payload', pointer: match[2] ?? '' };
}

function messageRulesOf(ajv: Ajv, id: string, message: JsonObject, document: JsonObject): MessageRules {
  const payload = jsonSchemaOf(message.payload);
  const headers = jsonSchemaOf(message.headers);
  return {
    id,
    payload: payload === undefined ? undefined : ajv.compile(payload),
    headers: headers === undefined ? undefined : ajv.compile(headers),
    correlationId: correlationIdOf(message),
    contentType: stringAt(message.contentType) ?? stringAt(document.defaultContentType),
    messageType: stringAt(objectAt(objectAt(message.bindings)?.amqp)?.messageType),
    properties: Object.keys(objectAt(message['x-amqp-properties']) ?? {}),
  };
}

/** The delivery mode each channel's send operations ask for, by channel (the operations' bindings). */
function deliveryModes(document: JsonObject): Map<unknown, number> {
  const modes = new Map<unknown, number>();
  for (const operation of Object.values(objectAt(document.operations) ?? {})) {
    const op = objectAt(operation);
    const mode = objectAt(objectAt(op?.bindings)?.amqp)?.deliveryMode;
    if (op?.action === 'send' && typeof mode === 'number') modes.set(JSON.stringify(op.channel), mode);
  }
  return modes;
}

function channelRulesOf(ajv: Ajv, document: JsonObject): ChannelRules[] {
  const modes = deliveryModes(document);
  const found: ChannelRules[] = [];
  for (const [id, value] of Object.entries(objectAt(document.channels) ?? {})) {
    const channel = objectAt(value) ?? {};
    const amqp = objectAt(objectAt(channel.bindings)?.amqp);
    const exchange = objectAt(amqp?.exchange);
    if (amqp?.is === 'queue' || typeof exchange?.name !== 'string') continue;
    const type = stringAt(exchange.type);
    found.push({
      id,
      exchange: exchange.name,
      keys: type === 'fanout' || type === 'headers' ? undefined : routingKeysOf(busChannel(id, channel)),
      messages: Object.entries(objectAt(channel.messages) ?? {}).map(([messageId, message]) =>
        messageRulesOf(ajv, messageId, objectAt(message) ?? {}, document),
      ),
      deliveryMode: modes.get(JSON.stringify(channel)),
    });
  }
  return found;
}

/** The dead-letter channels: queue channels filled from a dead-letter exchange (their `x-bound-to`). */
function deadLetterRulesOf(
  ajv: Ajv,
  document: JsonObject,
  exchanges: ReadonlySet<string>,
): Map<string, MessageRules[]> {
  const found = new Map<string, MessageRules[]>();
  for (const value of Object.values(objectAt(document.channels) ?? {})) {
    const channel = objectAt(value) ?? {};
    const boundTo = Array.isArray(channel['x-bound-to']) ? channel['x-bound-to'] : [];
    for (const binding of boundTo) {
      const exchange = stringAt(objectAt(binding)?.exchange);
      if (!exchange || !exchanges.has(exchange)) continue;
      // A dead letter keeps the properties of the message it was: only its headers and payload are its own.
      const messages = Object.entries(objectAt(channel.messages) ?? {}).map(([id, message]) => ({
        ...messageRulesOf(ajv, id, objectAt(message) ?? {}, document),
        correlationId: undefined,
        contentType: undefined,
        messageType: undefined,
        properties: [],
      }));
      found.set(exchange, [...(found.get(exchange) ?? []), ...messages]);
    }
  }
  return found;
}

function pointerValue(value: unknown, pointer: string): { found: boolean } {
  let current = value;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    const holder = objectAt(current) ?? (Array.isArray(current) ? current : undefined);
    if (!holder || !(key in holder)) return { found: false };
    current = (holder as Record<string, unknown>)[key];
  }
  return { found: current !== undefined && current !== null && current !== '' };
}

/** AMQP header values arrive as buffers (long strings): a schema sees them as text. */
function headerValues(headers: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      Buffer.isBuffer(value) ? value.toString('utf8') : value,
    ]),
  );
}

function schemaErrors(validate: ValidateFunction, value: unknown, what: string): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => {
    const at = error.instancePath || '(root)';
    const extra =
      error.keyword === 'additionalProperties'
        ? ` (${String((error.params as { additionalProperty?: unknown }).additionalProperty)})`
        : '';
    return `${what} ${at} ${error.message ?? 'is invalid'}${extra}`;
  });
}

const propertyValues = (message: WireMessage): Record<string, unknown> => ({
  messageId: message.messageId,
  correlationId: message.correlationId,
  contentType: message.contentType,
  type: message.type,
  deliveryMode: message.deliveryMode,
  priority: message.priority,
  timestamp: message.timestamp,
});

/** Everything wrong with the message as the document's message `rules` describes it. */
function problemsOf(rules: MessageRules, message: WireMessage, deliveryMode: number | undefined): string[] {
  const problems: string[] = [];
  const json = typeof message.body !== 'string';
  if (rules.payload) {
    if (!json) problems.push('payload is not JSON');
    else problems.push(...schemaErrors(rules.payload, message.body, 'payload'));
  }
  if (rules.headers) problems.push(...schemaErrors(rules.headers, headerValues(message.headers), 'headers'));
  if (rules.correlationId) {
    const { in: where, pointer } = rules.correlationId;
    const holder = where === 'header' ? headerValues(message.headers) : message.body;
    if (!pointerValue(holder, pointer).found)
      problems.push(`no correlation id at $message.${where}#${pointer}, where the document puts it`);
  }
  if (rules.contentType && message.contentType !== rules.contentType)
    problems.push(
      `content type ${message.contentType ?? '(none)'}, where the document says ${rules.contentType}`,
    );
  if (rules.messageType && message.type !== rules.messageType)
    problems.push(`AMQP type ${message.type ?? '(none)'}, where the document says ${rules.messageType}`);
  const properties = propertyValues(message);
  for (const name of rules.properties)
    if (properties[name] === undefined && name in properties)
      problems.push(`no AMQP ${name} property, which x-amqp-properties requires`);
  if (deliveryMode !== undefined && message.deliveryMode !== deliveryMode)
    problems.push(
      `delivery mode ${message.deliveryMode ?? '(none)'}, where the send operation asks for ${deliveryMode}${deliveryMode === 2 ? ' (persistent)' : ''}`,
    );
  return problems;
}

/** The problems of the message that fits best: none if any message of the channel fits. */
function bestFit(
  candidates: readonly MessageRules[],
  message: WireMessage,
  deliveryMode: number | undefined,
): { id: string; problems: string[] } | undefined {
  let best: { id: string; problems: string[] } | undefined;
  // The message whose AMQP type names it is the one meant; the others are tried when none does.
  const typed = candidates.filter(
    (rules) => rules.messageType !== undefined && rules.messageType === message.type,
  );
  for (const rules of typed.length > 0 ? typed : candidates) {
    const problems = problemsOf(rules, message, deliveryMode);
    if (problems.length === 0) return undefined;
    if (!best || problems.length < best.problems.length) best = { id: rules.id, problems };
  }
  return best;
}

const whereOf = (message: WireMessage, channel?: string) =>
  `exchange ${message.exchange || '(default)'}, routing key ${message.routingKey}${channel ? ` (channel ${channel})` : ''}`;

export function messageChecksOf(document: JsonObject): MessageChecks {
  const ajv = newValidator();
  const channels = channelRulesOf(ajv, document);
  const deadLetterExchanges = new Set(deadLetterExchangesOf(document));
  const deadLetterRules = deadLetterRulesOf(ajv, document, deadLetterExchanges);
  const channelFor = (message: WireMessage) =>
    channels.find(
      (channel) =>
        channel.exchange === message.exchange &&
        (channel.keys === undefined ||
          channel.keys.some((key) => routingKeyMatches(key, message.routingKey))),
    );
  const violation = (message: WireMessage, where: string, problem: string): Violation => ({
    rule: 'message-contract',
    where,
    problem,
    ...(message.messageId ? { messageId: message.messageId } : {}),
  });
  return {
    isDeadLetter: (message) => deadLetterExchanges.has(message.exchange),
    channelOf: (message) => channelFor(message)?.id,
    check(message) {
      if (deadLetterExchanges.has(message.exchange)) {
        const fit = bestFit(deadLetterRules.get(message.exchange) ?? [], message, undefined);
        return fit ? [violation(message, whereOf(message), `${fit.id}: ${fit.problems.join('; ')}`)] : [];
      }
      const channel = channelFor(message);
      if (!channel)
        return [
          violation(
            message,
            whereOf(message),
            'no channel of the AsyncAPI document carries this exchange and routing key',
          ),
        ];
      const fit = bestFit(channel.messages, message, channel.deliveryMode);
      return fit
        ? [violation(message, whereOf(message, channel.id), `${fit.id}: ${fit.problems.join('; ')}`)]
        : [];
    },
  };
}
