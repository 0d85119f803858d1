// Where the run's components answer, as plain data: what the environment hands the drivers (across
// cucumber's worker threads, as a structured clone) and all that steps know of the environment.
import type { ProfileName } from '../config/schema.ts';

export interface ApiKey {
  name: string;
  key: string;
  segment: 'b2c' | 'b2b';
  requestsPerWindow?: number;
}

export interface Endpoints {
  runId: string;
  profile: ProfileName;
  rabbitmq: { amqpUrl: string; managementUrl?: string | undefined; vhost: string };
  postgres: { databaseUrl: string; database: string };
  crm: { url: string; apiKeys: ApiKey[] };
  mes: { url: string };
  pricing: { url: string };
}

/** The passwords and keys in the endpoints: never in a log or a report. */
export function secretsIn(endpoints: Endpoints): string[] {
  const passwords = [
    endpoints.rabbitmq.amqpUrl,
    endpoints.rabbitmq.managementUrl,
    endpoints.postgres.databaseUrl,
  ]
    .flatMap((url) => (url ? [decodeURIComponent(new URL(url).password)] : []))
    .filter((password) => password.length >= 4);
  return [...new Set([...passwords, ...endpoints.crm.apiKeys.map((k) => k.key)])];
}
