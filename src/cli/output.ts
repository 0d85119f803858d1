// Human output for every command: colour only on a terminal without NO_COLOR, plain lines otherwise.
import { Chalk, type ChalkInstance } from 'chalk';
import type { MesE2eError } from '../errors.ts';

export interface Output {
  color: ChalkInstance;
  line(text?: string): void;
  /** Progress of long work: on stderr, so that --json output on stdout stays clean. */
  progress(text: string): void;
  /** A line for a machine reading stderr (GitHub workflow commands): never coloured. */
  plainErr(text: string): void;
  json(value: unknown): void;
  /** A failure the user can act on: what went wrong, then what to do. */
  problem(error: MesE2eError): void;
}

export function createOutput(io: {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  isTTY: boolean;
}): Output {
  const forced = io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0';
  const colored = forced || (io.isTTY && io.env.NO_COLOR === undefined && io.env.TERM !== 'dumb');
  const color = new Chalk({ level: colored ? 1 : 0 });
  return {
    color,
    line: (text = '') => io.stdout(`${text}\n`),
    progress: (text) => io.stderr(`${color.dim(text)}\n`),
    plainErr: (text) => io.stderr(`${text}\n`),
    json: (value) => io.stdout(`${JSON.stringify(value, null, 2)}\n`),
    problem: (error) => io.stderr(`${color.red(`mes-e2e: ${error.message}`)}\n${error.hint}\n`),
  };
}

const urlKeys = new Set(['url', 'managementUrl', 'amqpUrl', 'databaseUrl']);

/** A copy of a value for --json output: passwords in URLs and API keys hidden (the record file has them). */
export function withoutSecrets<T>(value: T): T {
  return JSON.parse(
    JSON.stringify(value, (key, field) => {
      // A process's environment holds the run's URLs and keys; the record file keeps it.
      if (key === 'env') return undefined;
      // The configuration's secrets by name: the names say what is set, never the values.
      if (key === 'secrets' && field && typeof field === 'object' && !Array.isArray(field))
        return Object.fromEntries(Object.keys(field).map((name) => [name, '***']));
      if (typeof field !== 'string') return field;
      if (urlKeys.has(key)) return maskCredentials(field);
      return key === 'key' ? '***' : field;
    }),
  ) as T;
}

/** A URL with its password hidden, for anything a person or a log may read. */
export function maskCredentials(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return value;
  }
}
