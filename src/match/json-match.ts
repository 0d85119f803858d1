// Deep, Karate-like matching of a JSON value against an expectation that may hold matchers
// ("#uuid", "#regex ^A", "#notpresent"...): every mismatch is reported with its JSON path.

/** What was expected at a place, what was there instead, and where. */
export interface Mismatch {
  path: string;
  expected: string;
  actual: string;
}

export class MatcherError extends Error {
  readonly code = 'UNKNOWN_MATCHER';
  constructor(matcher: string, path: string) {
    super(
      `unknown matcher ${JSON.stringify(matcher)} at ${path}; known: ${matcherNames.join(', ')}, "#regex <pattern>" (a literal text starting with "#" is written "##...")`,
    );
    this.name = 'MatcherError';
  }
}

/** A key the actual document does not have (as opposed to a key whose value is null). */
const absent: unique symbol = Symbol('absent');

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const typeMatchers: Record<string, (value: unknown) => boolean> = {
  '#uuid': (value) => typeof value === 'string' && uuidPattern.test(value),
  '#number': (value) => typeof value === 'number',
  '#string': (value) => typeof value === 'string',
  '#boolean': (value) => typeof value === 'boolean',
  '#array': (value) => Array.isArray(value),
  '#object': (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  '#null': (value) => value === null,
  '#notnull': (value) => value !== null,
};

export const matcherNames = [...Object.keys(typeMatchers), '#present', '#notpresent', '#ignore'];

export function describeValue(value: unknown): string {
  if (value === absent) return 'nothing (not present)';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

/** `$.a.b`, `$.a["odd key"]`, `$.lines[0]`. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether a string of the expectation is a matcher (and not a literal starting with "##"). */
const isMatcher = (value: unknown): value is string =>
  typeof value === 'string' && value.startsWith('#') && !value.startsWith('##');

function matchMatcher(actual: unknown, matcher: string, path: string): Mismatch[] {
  const miss = [{ path, expected: matcher, actual: describeValue(actual) }];
  if (matcher === '#ignore') return [];
  if (matcher === '#notpresent') return actual === absent ? [] : miss;
  if (matcher === '#present') return actual === absent ? miss : [];
  if (actual === absent) return miss;
  if (matcher.startsWith('#regex ')) {
    const pattern = matcher.slice('#regex '.length);
    let regex: RegExp;
    try {
      regex = new RegExp(`^(?:${pattern})$`, 'u');
    } catch (error) {
      throw new MatcherError(`${matcher} (${(error as Error).message})`, path);
    }
    return typeof actual === 'string' && regex.test(actual) ? [] : miss;
  }
  const test = typeMatchers[matcher];
  if (!test) throw new MatcherError(matcher, path);
  return test(actual) ? [] : miss;
}

function matchAt(actual: unknown, expected: unknown, path: string, exact: boolean): Mismatch[] {
  if (isMatcher(expected)) return matchMatcher(actual, expected, path);
  const literal = typeof expected === 'string' && expected.startsWith('##') ? expected.slice(1) : expected;
  const miss = [{ path, expected: describeValue(literal), actual: describeValue(actual) }];
  if (Array.isArray(literal)) {
    if (!Array.isArray(actual)) return miss;
    if (actual.length !== literal.length) {
      return [
        {
          path,
          expected: `an array of ${literal.length}: ${describeValue(literal)}`,
          actual: `${actual.length}: ${describeValue(actual)}`,
        },
      ];
    }
    return literal.flatMap((item, index) => matchAt(actual[index], item, childPath(path, index), exact));
  }
  if (isObject(literal)) {
    if (!isObject(actual)) return miss;
    const mismatches = Object.entries(literal).flatMap(([key, value]) =>
      matchAt(Object.hasOwn(actual, key) ? actual[key] : absent, value, childPath(path, key), exact),
    );
    if (exact) {
      for (const key of Object.keys(actual)) {
        if (!Object.hasOwn(literal, key)) {
          mismatches.push({
            path: childPath(path, key),
            expected: 'nothing (an exact match allows no other key)',
            actual: describeValue(actual[key]),
          });
        }
      }
    }
    return mismatches;
  }
  return actual === literal ? [] : miss;
}

/**
 * Every place where `actual` differs from `expected`. Objects may have keys the expectation does not
 * name unless `exact`; arrays match element by element and must have the same length.
 */
export function matchJson(
  actual: unknown,
  expected: unknown,
  options: { exact?: boolean; path?: string; present?: boolean } = {},
): Mismatch[] {
  const found = options.present === false ? absent : actual;
  return matchAt(found, expected, options.path ?? '$', options.exact ?? false);
}

/**
 * Whether `actual` contains `expected`: a text contains a text; an array contains an element that
 * matches the expectation, or, when the expectation is an array, an element for each of its elements.
 */
export function containsJson(
  actual: unknown,
  expected: unknown,
  options: { path?: string; present?: boolean } = {},
): Mismatch[] {
  const path = options.path ?? '$';
  const found = options.present === false ? absent : actual;
  if (typeof found === 'string' && typeof expected === 'string') {
    return found.includes(expected)
      ? []
      : [{ path, expected: `a text containing ${describeValue(expected)}`, actual: describeValue(found) }];
  }
  if (!Array.isArray(found)) {
    return [
      {
        path,
        expected: `an array or a text containing ${describeValue(expected)}`,
        actual: describeValue(found),
      },
    ];
  }
  const wanted = Array.isArray(expected) ? expected : [expected];
  return wanted.flatMap((item) =>
    found.some((element, index) => matchAt(element, item, childPath(path, index), false).length === 0)
      ? []
      : [
          {
            path,
            expected: `an element matching ${describeValue(item)}`,
            actual: describeValue(found),
          },
        ],
  );
}

/**
 * An expected value as a step gives it in quotes: a matcher ("#uuid"), JSON ("42", "true", "null",
 * "\"42\"", "[1,2]"), or else the text itself ("priced").
 */
export function expectedValue(text: string): unknown {
  if (isMatcher(text)) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The mismatches as a step failure says them, at most `limit` of them. */
export function describeMismatches(mismatches: readonly Mismatch[], limit = 10): string {
  const lines = mismatches
    .slice(0, limit)
    .map((m) => `at ${m.path}: expected ${m.expected}, got ${m.actual}`);
  if (mismatches.length > limit) lines.push(`... and ${mismatches.length - limit} more`);
  return lines.join('\n');
}
