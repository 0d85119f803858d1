// The CRM's configuration, read from environment variables once at start.
import { Type } from 'typebox';
import { ConfigError, integer, json, oneOf, optionalString, startupWaitMs, url } from '../../runtime/env.ts';
import { compileParser } from '../../runtime/validate.ts';

const ApiKeysSchema = Type.Array(
  Type.Object(
    {
      name: Type.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' }),
      key: Type.String({ minLength: 16, maxLength: 256 }),
      segment: Type.Union([Type.Literal('b2c'), Type.Literal('b2b')]),
      requestsPerWindow: Type.Optional(Type.Integer({ minimum: 1 })),
    },
    { additionalProperties: false },
  ),
  { minItems: 1 },
);
const parseApiKeys = compileParser(ApiKeysSchema);

export interface ApiClientConfig {
  name: string;
  key: string;
  segment: 'b2c' | 'b2b';
  requestsPerWindow: number;
}

export interface CrmConfig {
  host: string;
  port: number;
  databaseUrl: string;
  /** How long to wait at start for the database to accept a session. */
  startupWaitMs: number;
  amqpUrl: string;
  apiClients: readonly ApiClientConfig[];
  rateLimitWindowMs: number;
  /** False only with CRM_RATE_LIMIT=off, a fault injected for the harness's own tests: no key is limited. */
  rateLimited: boolean;
  /** False only with CRM_IDEMPOTENCY=off, a fault injected for the harness's own tests: keys are ignored. */
  idempotent: boolean;
}

const apiKeysHint =
  'JSON array of {"name","key","segment":"b2c"|"b2b","requestsPerWindow"?}; keys at least 16 characters';

export function readCrmConfig(env: NodeJS.ProcessEnv): CrmConfig {
  const defaultLimit = integer(env, 'CRM_RATE_LIMIT_REQUESTS', 120, { min: 1, max: 1_000_000 });
  let keys: ReturnType<typeof parseApiKeys>;
  try {
    keys = parseApiKeys(json(env, 'CRM_API_KEYS', apiKeysHint));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError('CRM_API_KEYS', `${(error as Error).message} (expected ${apiKeysHint})`);
  }
  const names = new Set(keys.map((k) => k.name));
  if (names.size !== keys.length) throw new ConfigError('CRM_API_KEYS', 'client names must be unique');
  return Object.freeze({
    host: optionalString(env, 'HOST') ?? '0.0.0.0',
    port: integer(env, 'PORT', 3000, { min: 0, max: 65_535 }),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:'], 'postgres://user:pass@host:5432/db'),
    startupWaitMs: startupWaitMs(env),
    amqpUrl: url(env, 'AMQP_URL', ['amqp:', 'amqps:'], 'amqp://user:pass@host:5672/vhost'),
    apiClients: keys.map((k) => ({ ...k, requestsPerWindow: k.requestsPerWindow ?? defaultLimit })),
    rateLimitWindowMs: integer(env, 'CRM_RATE_LIMIT_WINDOW_MS', 60_000, { min: 100, max: 86_400_000 }),
    rateLimited: oneOf(env, 'CRM_RATE_LIMIT', ['on', 'off']) !== 'off',
    idempotent: oneOf(env, 'CRM_IDEMPOTENCY', ['on', 'off']) !== 'off',
  });
}
