// The breaking changes between two versions of one JSON Schema (a body, a parameter, a payload),
// judged from who is at each end: what a client sends must still be accepted, what it reads must
// still be there. Compositions (allOf, anyOf, oneOf) are not compared: only properties and items.
import { pointerOf } from './document-text.ts';

/**
 * request: the consumer writes it (an HTTP request). response: the consumer reads it. message: on a
 * bus one application writes it and another reads it, so both kinds of change break.
 */
export type Direction = 'request' | 'response' | 'message';

export type SchemaRule = 'field-required' | 'property-removed' | 'type-changed' | 'enum-value-removed';

export interface SchemaChange {
  rule: SchemaRule;
  /** JSON pointer; the same structural path in both versions. */
  pointer: string;
  message: string;
}

type Schema = { readonly [key: string]: unknown };

const isSchema = (value: unknown): value is Schema =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const typesOf = (schema: Schema): string[] | undefined =>
  typeof schema.type === 'string'
    ? [schema.type]
    : Array.isArray(schema.type)
      ? schema.type.filter((type): type is string => typeof type === 'string')
      : undefined;

/** Every type in `types` is taken by `accepting` (a number takes an integer). */
const allAccepted = (types: readonly string[], accepting: readonly string[]) =>
  types.every((type) => accepting.includes(type) || (type === 'integer' && accepting.includes('number')));

const writes = (direction: Direction) => direction !== 'response';
const reads = (direction: Direction) => direction !== 'request';

const namesIn = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((name): name is string => typeof name === 'string') : [];

/** `customer.id`, `lines[].sku`; "the value" for the root. */
const fieldName = (field: string) => (field === '' ? 'the value' : `\`${field}\``);

interface Walk {
  direction: Direction;
  /** The previous version's schemas being compared now, outermost first: a recursive schema stops. */
  within: Set<Schema>;
  changes: SchemaChange[];
}

export function schemaChanges(
  previous: unknown,
  current: unknown,
  at: readonly string[],
  direction: Direction,
): SchemaChange[] {
  const walk: Walk = { direction, within: new Set(), changes: [] };
  compare(previous, current, at, '', walk);
  return walk.changes;
}

function compare(previous: unknown, current: unknown, at: readonly string[], field: string, walk: Walk) {
  if (!isSchema(previous) || !isSchema(current) || walk.within.has(previous)) return;
  if (typeChanged(previous, current, at, field, walk)) return; // its insides mean something else now
  walk.within.add(previous);
  compareInside(previous, current, at, field, walk);
  walk.within.delete(previous);
}

function compareInside(previous: Schema, current: Schema, at: readonly string[], field: string, walk: Walk) {
  newlyRequired(previous, current, at, field, walk);
  removedEnumValues(previous, current, at, field, walk);
  const before = isSchema(previous.properties) ? previous.properties : {};
  const after = isSchema(current.properties) ? current.properties : {};
  for (const [name, schema] of Object.entries(before)) {
    const where = [...at, 'properties', name];
    const inner = field ? `${field}.${name}` : name;
    if (name in after) compare(schema, after[name], where, inner, walk);
    else if (reads(walk.direction))
      walk.changes.push({
        rule: 'property-removed',
        pointer: pointerOf(where),
        message: `\`${inner}\` was removed`,
      });
  }
  compare(previous.items, current.items, [...at, 'items'], `${field}[]`, walk);
}

function typeChanged(previous: Schema, current: Schema, at: readonly string[], field: string, walk: Walk) {
  const before = typesOf(previous);
  const after = typesOf(current);
  if (!before || !after) return false;
  const breaks =
    (writes(walk.direction) && !allAccepted(before, after)) ||
    (reads(walk.direction) && !allAccepted(after, before));
  if (breaks)
    walk.changes.push({
      rule: 'type-changed',
      pointer: pointerOf([...at, 'type']),
      message: `${fieldName(field)} was ${before.join(' or ')}, is now ${after.join(' or ')}`,
    });
  return breaks;
}

function newlyRequired(previous: Schema, current: Schema, at: readonly string[], field: string, walk: Walk) {
  if (!writes(walk.direction)) return;
  const before = new Set(namesIn(previous.required));
  const known = isSchema(previous.properties) ? previous.properties : {};
  for (const name of namesIn(current.required).filter((name) => !before.has(name))) {
    const inner = field ? `${field}.${name}` : name;
    walk.changes.push({
      rule: 'field-required',
      pointer: pointerOf([...at, 'required']),
      message: name in known ? `\`${inner}\` is now required` : `new required field \`${inner}\``,
    });
  }
}

function removedEnumValues(
  previous: Schema,
  current: Schema,
  at: readonly string[],
  field: string,
  walk: Walk,
) {
  if (!writes(walk.direction) || !Array.isArray(previous.enum) || !Array.isArray(current.enum)) return;
  const kept = new Set(current.enum.map((value) => JSON.stringify(value)));
  const removed = previous.enum.filter((value) => !kept.has(JSON.stringify(value)));
  if (removed.length > 0)
    walk.changes.push({
      rule: 'enum-value-removed',
      pointer: pointerOf([...at, 'enum']),
      message: `${fieldName(field)} no longer takes ${removed.map((value) => JSON.stringify(value)).join(', ')}`,
    });
}
