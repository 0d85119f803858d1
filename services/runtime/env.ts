// Reads a service's configuration from environment variables, once at start, with one clear error per bad value.

export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function raw(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function requiredString(env: Env, name: string, hint: string): string {
  const value = raw(env, name);
  if (value === undefined) throw new ConfigError(name, `is required (${hint})`);
  return value;
}

export function optionalString(env: Env, name: string): string | undefined {
  return raw(env, name);
}

export function integer(
  env: Env,
  name: string,
  fallback: number,
  bounds: { min: number; max: number },
): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < bounds.min || parsed > bounds.max) {
    throw new ConfigError(name, `expected an integer from ${bounds.min} to ${bounds.max}, got "${value}"`);
  }
  return parsed;
}

/** One of a fixed set of words, or undefined when unset; anything else is an error listing the set. */
export function oneOf<const T extends string>(env: Env, name: string, allowed: readonly T[]): T | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(
      name,
      `expected ${allowed.map((word) => `"${word}"`).join(', ')} or unset, got "${value}"`,
    );
  }
  return value as T;
}

/** A comma-separated list of words from `allowed` (each at most once); empty when unset. */
export function someOf<const T extends string>(env: Env, name: string, allowed: readonly T[]): readonly T[] {
  const value = raw(env, name);
  if (value === undefined) return [];
  const words = value.split(',').map((word) => word.trim());
  const unknown = words.filter((word) => !(allowed as readonly string[]).includes(word));
  if (unknown.length > 0 || words.length === 0) {
    throw new ConfigError(
      name,
      `expected one or more of ${allowed.map((word) => `"${word}"`).join(', ')} (separated by commas) or unset, got "${value}"`,
    );
  }
  return [...new Set(words)] as T[];
}

export function url(env: Env, name: string, protocols: readonly string[], hint: string): string {
  const value = requiredString(env, name, hint);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, `expected a URL (${hint}), got something that does not parse as one`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(
      name,
      `expected a ${protocols.join(' or ')} URL, got protocol "${parsed.protocol}"`,
    );
  }
  return value;
}

export function json(env: Env, name: string, hint: string): unknown {
  const value = requiredString(env, name, hint);
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new ConfigError(name, `expected JSON (${hint}): ${(error as Error).message}`);
  }
}

/** The URL with its password replaced, safe for logs. */
export function maskUrl(value: string): string {
  try {
    const parsed = new URL(value);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}

/** How long a starting service waits for its database: it may start beside it, before it is created. */
export const startupWaitMs = (env: Env): number =>
  integer(env, 'STARTUP_WAIT_MS', 120_000, { min: 0, max: 3_600_000 });
