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

/**
 * The base URL of a component that answers HTTP, by the name the run's endpoints give it. The one
 * place generic steps learn where a named component is: when components become open-ended (any
 * names, from the configuration), only this function changes.
 */
export function httpBaseUrlOf(endpoints: Endpoints, component: string): string {
  const withUrls: Record<string, string> = {
    crm: endpoints.crm.url,
    mes: endpoints.mes.url,
    pricing: endpoints.pricing.url,
  };
  const url = Object.hasOwn(withUrls, component) ? withUrls[component] : undefined;
  if (url) return url;
  throw new Error(
    `no component named "${component}" answers HTTP in this run; the components with a URL: ${Object.keys(withUrls).join(', ')}`,
  );
}

/**
 * Whether the run created the broker it talks to (its own container or process, or its own vhost on
 * a shared one). Under the staging profile everything is someone else's: nothing may be declared there.
 */
export const runOwnsBroker = (endpoints: Endpoints): boolean => endpoints.profile !== 'staging';
