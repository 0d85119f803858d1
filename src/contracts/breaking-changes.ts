// The breaking changes between two versions of a contract, over the dereferenced documents: what a
// client of the API (or an application on the bus) relied on and can no longer do or read.
//
// Written here rather than taken from npm: @asyncapi/diff 0.5.0 classifies every change inside a
// payload as "unclassified" (no notion of required fields or types), and api-smart-diff 1.0.6 has
// AsyncAPI 3 only on its roadmap. One small differ keeps the rules the same for both kinds.
import type { ContractKind } from './document-text.ts';
import { pointerOf } from './document-text.ts';
import { type Direction, type SchemaRule, schemaChanges } from './schema-changes.ts';

export type BreakingRule =
  | SchemaRule
  | 'operation-removed'
  | 'channel-removed'
  | 'channel-address-changed'
  | 'message-removed';

export interface BreakingChange {
  rule: BreakingRule;
  /** For a person: `POST /v2/orders request body`, `channel orderCreated`. */
  where: string;
  /** JSON pointer, the same structural path in both versions. */
  pointer: string;
  message: string;
}

type Json = { readonly [key: string]: unknown };

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const objectAt = (value: Json | undefined, key: string): Json =>
  value && isObject(value[key]) ? (value[key] as Json) : {};

export function breakingChanges(kind: ContractKind, previous: Json, current: Json): BreakingChange[] {
  return kind === 'openapi' ? openApiChanges(previous, current) : asyncApiChanges(previous, current);
}

// --- OpenAPI --------------------------------------------------------------------------------------

const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

function openApiChanges(previous: Json, current: Json): BreakingChange[] {
  const changes: BreakingChange[] = [];
  const paths = objectAt(current, 'paths');
  for (const [path, item] of Object.entries(objectAt(previous, 'paths'))) {
    if (!isObject(item)) continue;
    for (const method of methods.filter((name) => isObject(item[name]))) {
      const where = `${method.toUpperCase()} ${path}`;
      const at = ['paths', path, method];
      const now = objectAt(paths, path);
      if (!isObject(now[method])) {
        changes.push({
          rule: 'operation-removed',
          where,
          pointer: pointerOf(at),
          message: `${where} was removed`,
        });
        continue;
      }
      const operation = { path, method, where, at };
      changes.push(...parameterChanges(operation, item, now), ...requestChanges(operation, item, now));
      changes.push(...responseChanges(operation, objectAt(item, method), objectAt(now, method)));
    }
  }
  return changes;
}

interface Operation {
  path: string;
  method: string;
  where: string;
  at: string[];
}

interface Parameter {
  schema: unknown;
  required: boolean;
  /** Where it is declared: on the operation or on its path. */
  at: string[];
}

/** An operation's parameters by `in` and name, those of its path item overridden by its own. */
function parametersOf(operation: Operation, pathItem: Json): Map<string, Parameter> {
  const byKey = new Map<string, Parameter>();
  const declared = (list: unknown, at: string[]) => {
    if (!Array.isArray(list)) return;
    list.forEach((parameter, index) => {
      if (isObject(parameter) && typeof parameter.name === 'string')
        byKey.set(`${parameter.name} (${String(parameter.in)})`, {
          schema: parameter.schema,
          required: parameter.required === true,
          at: [...at, 'parameters', String(index)],
        });
    });
  };
  declared(pathItem.parameters, ['paths', operation.path]);
  declared(objectAt(pathItem, operation.method).parameters, operation.at);
  return byKey;
}

function parameterChanges(operation: Operation, before: Json, after: Json): BreakingChange[] {
  const previous = parametersOf(operation, before);
  const changes: BreakingChange[] = [];
  for (const [key, parameter] of parametersOf(operation, after)) {
    const was = previous.get(key);
    const where = `${operation.where} parameter ${key}`;
    if (parameter.required && !was?.required)
      changes.push({
        rule: 'field-required',
        where,
        pointer: pointerOf([...parameter.at, 'required']),
        message: was ? 'the parameter is now required' : 'a new required parameter',
      });
    if (was)
      changes.push(...inSchema(where, was.schema, parameter.schema, [...parameter.at, 'schema'], 'request'));
  }
  return changes;
}

function requestChanges(operation: Operation, before: Json, after: Json): BreakingChange[] {
  const previous = objectAt(objectAt(before, operation.method), 'requestBody');
  const current = objectAt(objectAt(after, operation.method), 'requestBody');
  const where = `${operation.where} request body`;
  const at = [...operation.at, 'requestBody'];
  const changes: BreakingChange[] = [];
  if (current.required === true && previous.required !== true)
    changes.push({
      rule: 'field-required',
      where,
      pointer: pointerOf([...at, 'required']),
      message: 'the request body is now required',
    });
  changes.push(...contentChanges(where, at, previous, current, 'request'));
  return changes;
}

function responseChanges(operation: Operation, before: Json, after: Json): BreakingChange[] {
  const current = objectAt(after, 'responses');
  return Object.entries(objectAt(before, 'responses')).flatMap(([status, response]) =>
    isObject(response) && isObject(current[status])
      ? contentChanges(
          `${operation.where} response ${status}`,
          [...operation.at, 'responses', status],
          response,
          current[status] as Json,
          'response',
        )
      : [],
  );
}

/** The schema of each media type both versions have. */
function contentChanges(
  where: string,
  at: string[],
  previous: Json,
  current: Json,
  direction: Direction,
): BreakingChange[] {
  const now = objectAt(current, 'content');
  return Object.entries(objectAt(previous, 'content')).flatMap(([mediaType, media]) =>
    isObject(media) && isObject(now[mediaType])
      ? inSchema(
          `${where} (${mediaType})`,
          media.schema,
          (now[mediaType] as Json).schema,
          [...at, 'content', mediaType, 'schema'],
          direction,
        )
      : [],
  );
}

function inSchema(
  where: string,
  previous: unknown,
  current: unknown,
  at: string[],
  direction: Direction,
): BreakingChange[] {
  return schemaChanges(previous, current, at, direction).map((change) => ({ ...change, where }));
}

// --- AsyncAPI 3 -----------------------------------------------------------------------------------

function asyncApiChanges(previous: Json, current: Json): BreakingChange[] {
  const channels = objectAt(current, 'channels');
  const changes = Object.entries(objectAt(previous, 'channels')).flatMap(([name, channel]) =>
    isObject(channel) ? channelChanges(name, channel, channels[name]) : [],
  );
  const operations = objectAt(current, 'operations');
  for (const [name, operation] of Object.entries(objectAt(previous, 'operations'))) {
    if (name in operations) continue;
    const action =
      isObject(operation) && typeof operation.action === 'string' ? ` (${operation.action})` : '';
    changes.push({
      rule: 'operation-removed',
      where: `operation ${name}`,
      pointer: pointerOf(['operations', name]),
      message: `operation ${name}${action} was removed`,
    });
  }
  return changes;
}

function channelChanges(name: string, previous: Json, current: unknown): BreakingChange[] {
  const where = `channel ${name}`;
  const at = ['channels', name];
  const address = typeof previous.address === 'string' ? ` (address ${previous.address})` : '';
  if (!isObject(current))
    return [
      { rule: 'channel-removed', where, pointer: pointerOf(at), message: `${where}${address} was removed` },
    ];
  const changes: BreakingChange[] = [];
  // The address is the routing key (AMQP) or topic: applications bound to the old one hear nothing.
  if ((previous.address ?? null) !== (current.address ?? null))
    changes.push({
      rule: 'channel-address-changed',
      where,
      pointer: pointerOf([...at, 'address']),
      message: `the address was ${String(previous.address ?? 'none')}, is now ${String(current.address ?? 'none')}`,
    });
  const messages = objectAt(current, 'messages');
  for (const [id, message] of Object.entries(objectAt(previous, 'messages'))) {
    const messageAt = [...at, 'messages', id];
    const now = messages[id];
    if (!isObject(message)) continue;
    if (!isObject(now)) {
      changes.push({
        rule: 'message-removed',
        where,
        pointer: pointerOf(messageAt),
        message: `message ${id} was removed from ${where}`,
      });
      continue;
    }
    for (const part of ['payload', 'headers'])
      changes.push(
        ...inSchema(
          `${where} message ${id} ${part}`,
          message[part],
          now[part],
          [...messageAt, part],
          'message',
        ),
      );
  }
  return changes;
}
