// Starts a pricing instance: consumes pricing requests (highest priority first), publishes results.

import { randomUUID } from 'node:crypto';
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

/** Thrown while the consumer stops on purpose (PRICING_FAULT=stop-on-b2b): the request is put back. */
class StoppedOnPurpose extends Error {}

await runService('pricing', async (env, log) => {
  const config = readPricingConfig(env);
  const faults = new Set(config.faults);
  if (faults.size > 0) {
    log.warn(
      { fault: `PRICING_FAULT=${config.faults.join(',')}` },
      "fault injected: the service breaks on purpose, for the harness's own tests",
    );
  }
  // Assigned before the first connection can deliver a message: consumers attach in onConnect.
  let broker!: Broker;
  const consumer = createConsumer<PricingRequested>(
    {
      queue: queues.pricingRequests,
      prefetch: config.prefetch,
      exclusive: faults.has('exclusive-consumer'),
      parse: jsonMessageParser(PricingRequested),
      // A result that cannot be published waits for the broker; if the request is redelivered meanwhile,
      // MES ignores the repeated result.
      isTransient: (error) => error instanceof BrokerUnavailableError || error instanceof StoppedOnPurpose,
      async handle(request, message: ConsumeMessage) {
        if (faults.has('drop-all')) return;
        if (request.segment === 'b2b') {
          // The injected bugs: acked like any other and never answered, or the consumer gives up (the
          // stop puts the request back, unanswered, in a queue nothing consumes any more).
          if (faults.has('drop-b2b')) return;
          if (faults.has('stop-on-b2b')) {
            void consumer.stop();
            throw new StoppedOnPurpose('consumer stopped at a B2B request (PRICING_FAULT=stop-on-b2b)');
          }
        }
        const outcome = calculatePrice(request, config.costMs, {
          rounding: faults.has('round-total') ? 'total' : 'unit',
        });
        if (outcome.status === 'failed' && faults.has('drop-unpriceable')) return;
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
        const answer = {
          exchange: exchanges.pricing,
          routingKey:
            outcome.status === 'completed' ? routingKeys.pricingCompleted : routingKeys.pricingFailed,
          payload: faults.has('rename-priced-by')
            ? { ...result, instance: config.instanceName }
            : { ...result, pricedBy: config.instanceName },
          options: {
            messageId: `price-${request.orderId}`,
            ...(faults.has('no-correlation-id') ? {} : { correlationId }),
            type: `pricing.${outcome.status}`,
          },
        };
        await broker.publish([
          answer,
          ...(faults.has('publish-twice') ? [answer] : []),
          ...(faults.has('stray-result') ? [strayResultLike(answer)] : []),
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

/** A result like `answer` for an order nobody placed: it keeps the contract, and MES can only dead-letter it. */
function strayResultLike<T extends { payload: object; options: object }>(answer: T): T {
  const orderId = randomUUID();
  return {
    ...answer,
    payload: { ...answer.payload, orderId },
    options: { ...answer.options, messageId: `price-${orderId}` },
  };
}
