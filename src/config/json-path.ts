// The JSON paths a journey uses to find one value in a message or an answer (`$.id`, `$.customer['id']`,
// `$.lines[0].sku`), and whether a JSON Schema leaves any chance for such a path to find something.
//
// Why a parser of our own: jsonpath-plus (which evaluates the paths) accepts any text, `$.[` or
// `$a` included, and finds nothing at run time. A journey names one value, so its paths are RFC 9535
// singular queries (names and indexes only); those are checked here, and evaluate alike in jsonpath-plus.

export type PathSegment = string | number;

const namePattern = /^[A-Za-z_$][A-Za-z0-9_$-]*/;

/** The segments of a singular JSON path, or a sentence saying why it is not one. */
export function parseJsonPath(text: string): { segments: PathSegment[] } | { problem: string } {
  if (!text.startsWith('$')) return { problem: 'a JSON path starts with $' };
  const segments: PathSegment[] = [];
  let rest = text.slice(1);
  while (rest !== '') {
    if (rest.startsWith('..')) return { problem: 'descendant segments (..) can match many values; name one' };
    if (rest.startsWith('.')) {
      const name = namePattern.exec(rest.slice(1))?.[0];
      if (!name) {
        const wildcard = rest.startsWith('.*');
        return {
          problem: wildcard
            ? 'wildcards (*) can match many values; name one'
            : `expected a name after "." at "${rest}"`,
        };
      }
      segments.push(name);
      rest = rest.slice(1 + name.length);
      continue;
    }
    if (rest.startsWith('[')) {
      const quoted = /^\[\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*\]/.exec(rest);
      if (quoted) {
        segments.push((quoted[1] ?? quoted[2] ?? '').replace(/\\(.)/g, '$1'));
        rest = rest.slice(quoted[0].length);
        continue;
      }
      const index = /^\[\s*(0|[1-9][0-9]*)\s*\]/.exec(rest);
      if (index) {
        segments.push(Number(index[1]));
        rest = rest.slice(index[0].length);
        continue;
      }
      return {
        problem: `expected ['name'] or [index] at "${rest}" (filters, slices, wildcards and negative indexes can match many values or none)`,
      };
    }
    return { problem: `unexpected "${rest}": continue with .name, ['name'] or [index]` };
  }
  return { segments };
}

/** `/orderId` (a JSON pointer, as in AsyncAPI's `$message.payload#/orderId`) as a JSON path. */
export function jsonPathOfPointer(pointer: string): string {
  if (pointer === '' || pointer === '/') return '$';
  const keys = pointer
    .replace(/^\//, '')
    .split('/')
    .map((key) => key.replaceAll('~1', '/').replaceAll('~0', '~'));
  return `$${keys
    .map((key) =>
      /^(0|[1-9][0-9]*)$/.test(key)
        ? `[${key}]`
        : namePattern.exec(key)?.[0] === key
          ? `.${key}`
          : `['${key.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}']`,
    )
    .join('')}`;
}

type Schema = boolean | Record<string, unknown> | undefined;

const typesOf = (schema: Record<string, unknown>): string[] | undefined =>
  typeof schema.type === 'string'
    ? [schema.type]
    : Array.isArray(schema.type)
      ? (schema.type as string[])
      : undefined;

const asSchemas = (value: unknown): Schema[] | undefined =>
  Array.isArray(value) ? (value as Schema[]) : undefined;

/**
 * Why `segments` can never find a value in a document that follows `schema`, or undefined when it may.
 * Conservative: a schema that does not say (no type, no properties, additional properties allowed by
 * name, a branch of anyOf/oneOf that may hold it) never counts against the path. One exception, on
 * purpose: an object schema that lists its properties and says nothing of others is read as listing
 * them all, so that a misspelt `$.orderIdd` is caught; `additionalProperties: true` (or a schema)
 * or a matching patternProperties lets any name through.
 */
export function whyNoMatch(schema: Schema, segments: readonly PathSegment[], at = '$'): string | undefined {
  if (schema === false) return `nothing can be at ${at}`;
  if (schema === true || schema === undefined || segments.length === 0) return undefined;
  for (const branch of asSchemas(schema.allOf) ?? []) {
    const why = whyNoMatch(branch, segments, at);
    if (why) return why;
  }
  for (const keyword of ['anyOf', 'oneOf'] as const) {
    const branches = asSchemas(schema[keyword]);
    if (!branches || branches.length === 0) continue;
    const whys = branches.map((branch) => whyNoMatch(branch, segments, at));
    if (whys.every((why) => why !== undefined)) return whys.join('; and ');
  }
  const [segment, ...rest] = segments as [PathSegment, ...PathSegment[]];
  const types = typesOf(schema);
  if (typeof segment === 'number') {
    const next = `${at}[${segment}]`;
    if (types && !types.includes('array')) return `${at} is ${types.join(' or ')}, not an array`;
    // 2020-12: prefixItems, then items for the rest; drafts 4 to 7: items as a tuple, then additionalItems.
    const tuple = asSchemas(schema.prefixItems) ?? asSchemas(schema.items);
    if (tuple && segment < tuple.length) return whyNoMatch(tuple[segment], rest, next);
    const others = (Array.isArray(schema.items) ? schema.additionalItems : schema.items) as Schema;
    if (others === false) return `${at} has at most ${tuple?.length ?? 0} items`;
    return whyNoMatch(others, rest, next);
  }
  const next = `${at}.${segment}`;
  if (types && !types.includes('object')) return `${at} is ${types.join(' or ')}, not an object`;
  const properties = schema.properties as Record<string, Schema> | undefined;
  if (properties && Object.hasOwn(properties, segment)) return whyNoMatch(properties[segment], rest, next);
  const patterns = Object.entries((schema.patternProperties as Record<string, Schema> | undefined) ?? {});
  const matching = patterns.filter(([pattern]) => {
    try {
      return new RegExp(pattern, 'u').test(segment);
    } catch {
      return true;
    }
  });
  if (matching.length > 0) {
    const whys = matching.map(([, inner]) => whyNoMatch(inner, rest, next));
    return whys.every((why) => why !== undefined) ? whys.join('; and ') : undefined;
  }
  const additional = schema.additionalProperties as Schema;
  if (additional === false || (additional === undefined && properties !== undefined)) {
    const known = Object.keys(properties ?? {});
    return `${at} has no property "${segment}"${known.length ? ` (it has: ${known.join(', ')})` : ''}`;
  }
  return whyNoMatch(additional === undefined || additional === true ? true : additional, rest, next);
}

/** The only values the schema allows at the path (its enum or const), when one plain schema says so. */
export function valuesAt(schema: Schema, segments: readonly PathSegment[]): unknown[] | undefined {
  if (schema === undefined || typeof schema === 'boolean') return undefined;
  if (segments.length === 0) {
    if (Array.isArray(schema.enum)) return schema.enum;
    if ('const' in schema) return [schema.const];
    const branches = asSchemas(schema.oneOf) ?? asSchemas(schema.anyOf);
    if (!branches) return undefined;
    const each = branches.map((branch) => valuesAt(branch, []));
    return each.every((values) => values !== undefined) ? each.flat() : undefined;
  }
  const [segment, ...rest] = segments as [PathSegment, ...PathSegment[]];
  if (typeof segment === 'number') return valuesAt(schema.items as Schema, rest);
  return valuesAt((schema.properties as Record<string, Schema> | undefined)?.[segment], rest);
}
