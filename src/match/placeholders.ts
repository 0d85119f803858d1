// Placeholders in what steps send and expect: "{name}" stands for a value of the scenario's scope (a
// remembered value, a built-in such as {uuid}, a secret); a name the scope lacks is an error that
// lists the names it has.

export interface PlaceholderScope {
  /** The value a name stands for (asked again at each use: {uuid} is fresh each time), or undefined. */
  lookup(name: string): { value: unknown } | undefined;
  /** Every name the scope knows, for the error. */
  names(): string[];
}

export class PlaceholderError extends Error {
  readonly code = 'PLACEHOLDER';
  constructor(message: string) {
    super(message);
    this.name = 'PlaceholderError';
  }
}

/** `{orderId}`, `{run.id}`, `{secret.b2c-web}`; JSON's `{"a": 1}` never looks like one. */
const placeholder = /\{([A-Za-z_][\w.-]*)\}/g;
const onlyPlaceholder = /^\{([A-Za-z_][\w.-]*)\}$/;

function valueNamed(scope: PlaceholderScope, name: string): unknown {
  const found = scope.lookup(name);
  if (found) return found.value;
  throw new PlaceholderError(
    `no value named {${name}}; the names this scenario knows: ${scope
      .names()
      .map((known) => `{${known}}`)
      .join(', ')}`,
  );
}

const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** A path, a header, an expected value, a routing key: every placeholder replaced by its value as text. */
export function substituteText(text: string, scope: PlaceholderScope): string {
  return text.replace(placeholder, (_, name: string) => asText(valueNamed(scope, name)));
}

function substituteValue(value: unknown, scope: PlaceholderScope): unknown {
  if (typeof value === 'string') {
    const whole = onlyPlaceholder.exec(value);
    return whole ? valueNamed(scope, whole[1] as string) : substituteText(value, scope);
  }
  if (Array.isArray(value)) return value.map((item) => substituteValue(item, scope));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [substituteText(key, scope), substituteValue(item, scope)]),
    );
  }
  return value;
}

/**
 * A JSON doc string with placeholders inside its strings: it is parsed first, then each string is
 * substituted, so the result is always valid JSON whatever the values hold (quotes, backslashes). A
 * string that is one placeholder and nothing else ("{total}") takes the value with its JSON type.
 */
export function substituteJson(docString: string, scope: PlaceholderScope): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(docString);
  } catch (error) {
    throw new PlaceholderError(
      `the doc string is not JSON (${(error as Error).message}); placeholders go inside quotes: "{name}"`,
    );
  }
  return substituteValue(parsed, scope);
}

/**
 * SQL with placeholders: each becomes a bind parameter ($1, $2...) and its value goes beside the
 * query, never into its text, so a remembered value cannot change what the query does.
 */
export function substituteSql(sql: string, scope: PlaceholderScope): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const text = sql.replace(placeholder, (_, name: string) => {
    const value = valueNamed(scope, name);
    values.push(typeof value === 'object' && value !== null ? JSON.stringify(value) : value);
    return `$${values.length}`;
  });
  return { text, values };
}
