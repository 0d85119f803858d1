// The pricing service's configuration, read from environment variables once at start.
import { hostname } from 'node:os';
import { integer, optionalString, someOf, url } from '../../runtime/env.ts';

export interface PricingConfig {
  host: string;
  port: number;
  amqpUrl: string;
  costMs: number;
  prefetch: number;
  instanceName: string;
  /** Fault injection for the harness's own tests, never set in normal use: see server.ts. */
  faults: readonly PricingFault[];
}

/**
 * drop-unpriceable: a request it cannot price (unknown SKU, no rate) is acked and never answered, so
 * the order waits for a price forever. round-total: the total is rounded once instead of each unit
 * price (off by a cent or two where amounts have fractions of a cent).
 * drop-all: every request is acked and never answered (a build broken early: no order is ever priced;
 * the benchmark's time to BLOCK). exclusive-consumer: it consumes as the queue's only consumer, so a
 * second instance is refused and adds nothing (a service that cannot scale out). drop-b2b: B2B requests are acked and never answered. stop-on-b2b: the first B2B request stops the
 * instance consuming (the request goes back to the queue, where nothing takes it).
 * The others keep the pipeline working and break only its contract: rename-priced-by (the result
 * names its instance `instance`), no-correlation-id (results without the AMQP correlation id),
 * publish-twice (every result published twice), stray-result (a result for an order nobody placed).
 */
export const pricingFaults = [
  'drop-b2b',
  'stop-on-b2b',
  'rename-priced-by',
  'no-correlation-id',
  'publish-twice',
  'stray-result',
  'drop-all',
  'drop-unpriceable',
  'round-total',
  'exclusive-consumer',
] as const;
export type PricingFault = (typeof pricingFaults)[number];

export function readPricingConfig(env: NodeJS.ProcessEnv): PricingConfig {
  return Object.freeze({
    host: optionalString(env, 'HOST') ?? '0.0.0.0',
    port: integer(env, 'PORT', 3002, { min: 0, max: 65_535 }),
    amqpUrl: url(env, 'AMQP_URL', ['amqp:', 'amqps:'], 'amqp://user:pass@host:5672/vhost'),
    costMs: integer(env, 'PRICING_COST_MS', 50, { min: 0, max: 60_000 }),
    // One at a time by default: a message held by a busy instance cannot be overtaken by a higher priority.
    prefetch: integer(env, 'PRICING_PREFETCH', 1, { min: 1, max: 1_000 }),
    instanceName: optionalString(env, 'PRICING_INSTANCE') ?? `${hostname()}-${process.pid}`,
    faults: someOf(env, 'PRICING_FAULT', pricingFaults),
  });
}
