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
  /** The run's broker, whatever its component is named. */
  rabbitmq: {
    name: string;
    amqpUrl: string;
    managementUrl?: string | undefined;
    vhost: string;
    /**
     * Whether the run created what `amqpUrl` points at: its own broker container, or its own vhost on
     * a shared broker. False for a broker given by URL when every service is given by URL too: then
     * the run makes no vhost of its own and talks to someone else's.
     */
    ownedByRun: boolean;
  };
  /** The run's database; undefined when the pipeline has none. */
  postgres: { name: string; databaseUrl: string; database: string } | undefined;
  /** The database's read replica (a hot standby of it), on the run's database; absent when it has none. */
  replica?: { name: string; databaseUrl: string } | undefined;
  /** Every service's base URL from this machine, by component name. */
  services: Readonly<Record<string, { url: string }>>;
  /** The clients' API keys the harness generated for the reference CRM (none for a CRM given by URL). */
  apiKeys: ApiKey[];
  /** The configuration's secrets by name ("{secret.<name>}"): masked wherever text leaves the run. */
  secrets: Readonly<Record<string, string>>;
}

/** The passwords and keys in the endpoints: never in a log or a report. */
export function secretsIn(endpoints: Endpoints): string[] {
  const passwords = [
    endpoints.rabbitmq.amqpUrl,
    endpoints.rabbitmq.managementUrl,
    endpoints.postgres?.databaseUrl,
    endpoints.replica?.databaseUrl,
  ]
    .flatMap((url) => (url ? [decodeURIComponent(new URL(url).password)] : []))
    .filter((password) => password.length >= 4);
  return [
    ...new Set([
      ...passwords,
      ...endpoints.apiKeys.map((k) => k.key),
      ...Object.values(endpoints.secrets ?? {}),
    ]),
  ];
}

/** The base URL of a service of the run, by its component name: the one place steps learn where it is. */
export function httpBaseUrlOf(endpoints: Endpoints, component: string): string {
  const url = Object.hasOwn(endpoints.services, component) ? endpoints.services[component]?.url : undefined;
  if (url) return url;
  throw new Error(
    `no component named "${component}" answers HTTP in this run; the components with a URL: ${Object.keys(endpoints.services).join(', ')}`,
  );
}

/** The run's database; a clear error for a step that needs one on a pipeline without. */
export function databaseOf(endpoints: Endpoints): NonNullable<Endpoints['postgres']> {
  if (endpoints.postgres) return endpoints.postgres;
  throw new Error('this pipeline has no database (no component of kind postgres): the step needs one');
}

/** Whether the run may declare queues and exchanges on its broker, and, when it may not, whose the broker is. */
export interface BrokerOwnership {
  mayDeclare: boolean;
  owner: string;
}

/**
 * Whether the run created the broker it talks to (its own container, or its own vhost on a shared
 * one). Under the staging profile everything is someone else's: nothing may be declared there.
 */
const runOwnsBroker = (endpoints: Endpoints): boolean =>
  endpoints.profile !== 'staging' && endpoints.rabbitmq.ownedByRun;

/** What a bus observer or capture is told about the broker: declare only on the run's own. */
export function brokerOwnership(endpoints: Endpoints): BrokerOwnership {
  const owner =
    endpoints.profile === 'staging'
      ? "profile staging: every component is someone else's"
      : endpoints.rabbitmq.ownedByRun
        ? 'the run'
        : `vhost "${endpoints.rabbitmq.vhost}" of a broker given by URL: every service is given by URL too, so the run made no vhost of its own`;
  return { mayDeclare: runOwnsBroker(endpoints), owner };
}
