// Starts the CRM: configuration, migrations, broker, outbox relay and HTTP server; stops them in reverse.
import { connectBroker } from '../../runtime/broker.ts';
import { migrate, openDatabase, runtimeMigrations } from '../../runtime/database.ts';
import { listen } from '../../runtime/http.ts';
import { startOutboxRelay } from '../../runtime/outbox.ts';
import { runService } from '../../runtime/service.ts';
import { buildCrmApp } from './app.ts';
import { readCrmConfig } from './config.ts';

const migrations = new URL('../migrations/', import.meta.url).pathname;

await runService('crm', async (env, log) => {
  const config = readCrmConfig(env);
  if (!config.rateLimited) {
    log.warn({ fault: 'CRM_RATE_LIMIT=off' }, 'fault injected: no API key is rate limited');
  }
  if (!config.idempotent) {
    log.warn({ fault: 'CRM_IDEMPOTENCY=off' }, 'fault injected: Idempotency-Key headers are ignored');
  }
  const db = openDatabase(config.databaseUrl, 'crm', log);
  await migrate(db, [runtimeMigrations, migrations], log, { waitMs: config.startupWaitMs });
  let relay: ReturnType<typeof startOutboxRelay> | undefined;
  const broker = await connectBroker(config.amqpUrl, { log, onConnect: async () => void relay?.flush() });
  relay = startOutboxRelay({ db, broker, log });
  const app = await buildCrmApp({
    db,
    apiClients: config.apiClients,
    rateLimitWindowMs: config.rateLimitWindowMs,
    rateLimited: config.rateLimited,
    idempotent: config.idempotent,
    readiness: { database: () => db.isReachable(), broker: () => broker.isConnected() },
    log,
  });
  await listen(app, config, log);
  return {
    async stop() {
      await app.close();
      await relay?.stop();
      await broker.close();
      await db.close();
    },
  };
});
