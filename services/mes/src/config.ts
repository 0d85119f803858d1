// The MES configuration, read from environment variables once at start.
import { integer, optionalString, someOf, startupWaitMs, url } from '../../runtime/env.ts';

/**
 * ack-before-commit: order.created is acked before its transaction commits (a lost order).
 * undeclared-status: an order read answers 203, a status openapi.json does not declare (a broken contract).
 * latency-from-receipt: the analytics panel's created-to-priced starts at MES's receipt (a panel that lies).
 * transient-publishes: MES publishes its messages transient, so a broker that dies loses those queued.
 * no-list-indexes: MES drops its order list's indexes after its migrations (a list that scans the table).
 * reads-on-primary: the order list, orders and analytics are read from the primary, the replica unused.
 * no-replica-fallback: reads stay on the replica when it fails (they fail with it).
 */
export const mesFaults = [
  'ack-before-commit',
  'undeclared-status',
  'latency-from-receipt',
  'transient-publishes',
  'no-list-indexes',
  'reads-on-primary',
  'no-replica-fallback',
] as const;
export type MesFault = (typeof mesFaults)[number];

export interface MesConfig {
  host: string;
  port: number;
  databaseUrl: string;
  /** A hot standby of the database: the order list, orders and analytics are read there while it answers. */
  databaseReadUrl: string | undefined;
  /** How long to wait at start for the database to accept a session. */
  startupWaitMs: number;
  amqpUrl: string;
  prefetch: number;
  management: { url: string; vhost: string } | undefined;
  /** Fault injection for the harness's own tests, never set in normal use: see server.ts. */
  faults: readonly MesFault[];
}

export function readMesConfig(env: NodeJS.ProcessEnv): MesConfig {
  const amqpUrl = url(env, 'AMQP_URL', ['amqp:', 'amqps:'], 'amqp://user:pass@host:5672/vhost');
  const managementUrl =
    optionalString(env, 'RABBITMQ_MANAGEMENT_URL') === undefined
      ? undefined
      : url(env, 'RABBITMQ_MANAGEMENT_URL', ['http:', 'https:'], 'http://user:pass@host:15672');
  const vhostFromAmqp = decodeURIComponent(new URL(amqpUrl).pathname.slice(1)) || '/';
  return Object.freeze({
    host: optionalString(env, 'HOST') ?? '0.0.0.0',
    port: integer(env, 'PORT', 3001, { min: 0, max: 65_535 }),
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:'], 'postgres://user:pass@host:5432/db'),
    databaseReadUrl:
      optionalString(env, 'DATABASE_READ_URL') === undefined
        ? undefined
        : url(env, 'DATABASE_READ_URL', ['postgres:', 'postgresql:'], 'postgres://user:pass@replica:5432/db'),
    startupWaitMs: startupWaitMs(env),
    amqpUrl,
    prefetch: integer(env, 'MES_PREFETCH', 20, { min: 1, max: 1_000 }),
    management: managementUrl
      ? { url: managementUrl, vhost: optionalString(env, 'RABBITMQ_VHOST') ?? vhostFromAmqp }
      : undefined,
    faults: someOf(env, 'MES_FAULT', mesFaults),
  });
}
