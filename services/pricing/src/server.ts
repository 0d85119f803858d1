// Starts a pricing instance: consumes pricing requests (highest priority first), publishes results.

import type { ConsumeMessage } from 'amqplib';
import { type Broker, BrokerUnavailableError, connectBroker } from '../../runtime/broker.ts';
import { createConsumer } from '../../runtime/consumer.ts';
import { registerHealth } from '../../runtime/health.ts';
import { createHttpApp, listen } from '../../runtime/http.ts';
import { jsonMessageParser, PricingRequested } from '../../runtime/messages.ts';
import { runService } from '../../runtime/service.ts';
import { exchanges, queues, routingKeys } from '../../runtime/topology.ts';
import { calculatePrice } from './calculation.ts';
import { readPricingConfig } from './config.ts';

await runService('pricing', async (env, log) => {
  const config = readPricingConfig(env);
  if (config.fault === 'drop-b2b') {
    log.warn(
      { fault: 'PRICING_FAULT=drop-b2b' },
      'fault injected: B2B pricing requests are consumed and never answered',
    );
  }
  // Assigned before the first connection can deliver a message: consumers attach in onConnect.
  let broker!: Broker;
  const consumer = createConsumer<PricingRequested>(
    {
      queue: queues.pricingRequests,
      prefetch: config.prefetch,
      parse: jsonMessageParser(PricingRequested),
      // A result that cannot be published waits for the broker; if the request is redelivered meanwhile,
      // MES ignores the repeated result.
      isTransient: (error) => error instanceof BrokerUnavailableError,
      async handle(request, message: ConsumeMessage) {
        // The injected bug: the request is acked like any other, and no result is ever published.
        if (config.fault === 'drop-b2b' && request.segment === 'b2b') return;
        const outcome = calculatePrice(request, config.costMs);
        const { correlationId } = message.properties;
        const result =
          outcome.status === 'completed'
            ? {
                orderId: request.orderId,
                status: 'completed',
                totalCents: outcome.totalCents,
                currency: outcome.currency,
              }
            : { orderId: request.orderId, status: 'failed', reason: outcome.reason };
        await broker.publish([
          {
            exchange: exchanges.pricing,
            routingKey:
              outcome.status === 'completed' ? routingKeys.pricingCompleted : routingKeys.pricingFailed,
            payload: { ...result, pricedBy: config.instanceName },
            options: {
              messageId: `price-${request.orderId}`,
              correlationId,
              type: `pricing.${outcome.status}`,
            },
          },
        ]);
        log.info({ orderId: request.orderId, correlationId, status: outcome.status }, 'order priced');
      },
    },
    log,
  );
  broker = await connectBroker(config.amqpUrl, { log, onConnect: (model) => consumer.attach(model) });

  const app = createHttpApp(log);
  registerHealth(app, { broker: () => broker.isConnected() });
  await listen(app, config, log, { instance: config.instanceName, costMs: config.costMs });
  return {
    async stop() {
      await consumer.stop();
      await app.close();
      await broker.close();
    },
  };
});
