// Starts MES: records orders from the bus, asks pricing asynchronously, applies prices, serves the API.
import { type Broker, connectBroker } from '../../runtime/broker.ts';
import { createConsumer, PoisonMessageError } from '../../runtime/consumer.ts';
import { isConnectionError, migrate, openDatabase, runtimeMigrations } from '../../runtime/database.ts';
import { listen } from '../../runtime/http.ts';
import { jsonMessageParser, OrderCreated, PricingResult } from '../../runtime/messages.ts';
import { type OutboxRelay, startOutboxRelay } from '../../runtime/outbox.ts';
import { runService } from '../../runtime/service.ts';
import { queues } from '../../runtime/topology.ts';
import { buildMesApp } from './app.ts';
import { type MesFault, readMesConfig } from './config.ts';
import { createOrderChanges } from './order-changes.ts';
import { applyPricingResult, markPricingRequested, recordOrder } from './orders.ts';
import { createQueueStatsReader } from './queue-stats.ts';
import { createReads } from './reads.ts';

const migrations = new URL('../migrations/', import.meta.url).pathname;

const faultEffects: Record<MesFault, string> = {
  'ack-before-commit':
    'order.created is acked before its transaction commits; a failed transaction loses the order',
  'undeclared-status':
    'GET /api/orders/{id} answers 203 instead of 200, a status openapi.json does not declare',
  'latency-from-receipt':
    "the analytics panel measures created-to-priced from MES's receipt, not from the CRM's creation",
  'transient-publishes':
    'MES publishes its messages transient: a broker that dies loses those waiting in queues',
  'no-list-indexes': "the order list's indexes are dropped: every filter of the list reads the whole table",
  'reads-on-primary': 'MES does not use its read replica: every read goes to the primary',
  'no-replica-fallback': 'MES does not fall back to the primary: its reads fail while the replica is away',
};

/** The indexes the order list's filters read (migrations/001_orders.sql). */
const listIndexes = ['orders_by_created', 'orders_by_status', 'orders_by_segment', 'orders_by_customer'];

/** The injected durability bug: the same publishes, not persistent (the broker keeps them in memory only). */
const transientPublishes = (broker: Broker): Broker => ({
  ...broker,
  publish: (messages) =>
    broker.publish(
      messages.map((message) => ({ ...message, options: { ...message.options, persistent: false } })),
    ),
});

await runService('mes', async (env, log) => {
  const config = readMesConfig(env);
  const faulty = new Set(config.faults);
  for (const fault of faulty)
    log.warn({ fault: `MES_FAULT=${fault}` }, `fault injected: ${faultEffects[fault]}`);
  const db = openDatabase(config.databaseUrl, 'mes', log);
  await migrate(db, [runtimeMigrations, migrations], log, { waitMs: config.startupWaitMs });
  if (faulty.has('no-list-indexes')) await db.pool.query(`drop index if exists ${listIndexes.join(', ')}`);
  // The read replica gives up fast: the primary answers instead while it is away.
  const replica =
    config.databaseReadUrl === undefined
      ? undefined
      : openDatabase(config.databaseReadUrl, 'mes', log, {
          connectionTimeoutMillis: 2_000,
          queryTimeoutMillis: 5_000,
        });
  const reads = createReads({
    primary: db,
    replica,
    log,
    fault: faulty.has('no-replica-fallback')
      ? 'no-replica-fallback'
      : faulty.has('reads-on-primary')
        ? 'reads-on-primary'
        : undefined,
  });
  const feed = createOrderChanges();
  // A change goes out once the replica MES reads from has it: the page that reads again on it sees it.
  const changes: typeof feed = {
    subscribe: feed.subscribe,
    publish(change) {
      void reads.replayed().then(
        () => feed.publish(change),
        () => feed.publish(change),
      );
    },
  };

  const orders = createConsumer<OrderCreated>(
    {
      queue: queues.mesOrders,
      prefetch: config.prefetch,
      parse: jsonMessageParser(OrderCreated),
      isTransient: isConnectionError,
      // The injected bug. A test loses an order with it deterministically: it holds a lock that makes
      // the insert wait, then terminates that database connection (a failover would): the correct MES
      // retries the transaction, the faulty one has already acked and drops the order.
      ackBeforeCommit: faulty.has('ack-before-commit'),
      async handle(order, message) {
        const { correlationId } = message.properties;
        const isNew = await recordOrder(db, order, correlationId);
        if (isNew) changes.publish({ ids: [order.orderId], kind: 'recorded' });
        log.info(
          { orderId: order.orderId, correlationId, duplicate: !isNew },
          isNew ? 'order received' : 'duplicate order ignored',
        );
      },
    },
    log,
  );
  const results = createConsumer<PricingResult>(
    {
      queue: queues.mesPricingResults,
      prefetch: config.prefetch,
      parse: jsonMessageParser(PricingResult),
      isTransient: isConnectionError,
      async handle(result, message) {
        const applied = await applyPricingResult(db, result);
        if (applied === 'unknown_order') throw new PoisonMessageError(`no order ${result.orderId} in MES`);
        if (applied === 'applied') changes.publish({ ids: [result.orderId], kind: 'priced' });
        log.info(
          {
            orderId: result.orderId,
            correlationId: message.properties.correlationId,
            status: result.status,
            applied,
          },
          'pricing result',
        );
      },
    },
    log,
  );

  // Assigned before the first connection can deliver anything: consumers attach in onConnect.
  let relay!: OutboxRelay;
  const broker: Broker = await connectBroker(config.amqpUrl, {
    log,
    async onConnect(model) {
      await orders.attach(model);
      await results.attach(model);
      void relay?.flush();
    },
  });
  relay = startOutboxRelay({
    db,
    broker: faulty.has('transient-publishes') ? transientPublishes(broker) : broker,
    log,
    onPublished: markPricingRequested,
    onCommitted: (orderIds) => changes.publish({ ids: orderIds, kind: 'pricing' }),
  });

  const app = await buildMesApp({
    db,
    queueStats: createQueueStatsReader(config.management),
    reads,
    readiness: { database: () => db.isReachable(), broker: () => broker.isConnected() },
    changes,
    log,
    undeclaredStatus: faulty.has('undeclared-status'),
    latencyFromReceipt: faulty.has('latency-from-receipt'),
  });
  await listen(app, config, log);
  return {
    async stop() {
      await Promise.all([orders.stop(), results.stop()]);
      await app.close();
      await relay.stop();
      await broker.close();
      reads.stop();
      await replica?.close();
      await db.close();
    },
  };
});
