// The CRM HTTP application: versioned order API behind API keys and per-key rate limits, plus OpenAPI.
import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Database } from '../../runtime/database.ts';
import { type ReadinessChecks, registerHealth } from '../../runtime/health.ts';
import { createHttpApp } from '../../runtime/http.ts';
import type { Logger } from '../../runtime/logger.ts';
import { createAuthenticator } from './api-keys.ts';
import { deprecationHeaders, fromV1, fromV2, supportedVersions, toV1, toV2 } from './api-versions.ts';
import type { ApiClientConfig } from './config.ts';
import { findOrder, IdempotencyConflictError, type NewOrder, type Order, placeOrder } from './orders.ts';
import {
  ErrorBody,
  IdempotencyHeaders,
  OrderParams,
  V1Order,
  V1OrderBody,
  V2Order,
  V2OrderBody,
} from './schemas.ts';

export interface CrmAppOptions {
  db: Database;
  apiClients: readonly ApiClientConfig[];
  rateLimitWindowMs: number;
  /** False is the injected "misconfigured gateway": every key unlimited. */
  rateLimited: boolean;
  /** False is the injected "retries make duplicates" bug: Idempotency-Key headers are ignored. */
  idempotent?: boolean;
  readiness: ReadinessChecks;
  log: Logger;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function buildCrmApp(options: CrmAppOptions): Promise<FastifyInstance> {
  const app = createHttpApp(options.log);

  app.decorateRequest('apiClient', undefined);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    const version = /^\/(v\d+)\//.exec(request.url)?.[1];
    if (version && !(supportedVersions as readonly string[]).includes(version)) {
      return reply.code(404).send({
        error: 'unknown_api_version',
        message: `API version ${version} does not exist; use one of: ${supportedVersions.join(', ')}`,
        supportedVersions: [...supportedVersions],
      });
    }
    return reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url}` });
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'CRM orders API',
        version: '2.0.0',
        description: 'Orders from B2C, B2B and third-party clients',
      },
      components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } } },
      security: [{ apiKey: [] }],
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  registerHealth(app, options.readiness);

  await app.register(async (api) => {
    api.addHook('onRequest', createAuthenticator(options.apiClients));
    if (options.rateLimited) {
      await api.register(rateLimit, {
        hook: 'preParsing',
        keyGenerator: (request) => request.apiClient?.name ?? request.ip,
        max: async (request) => request.apiClient?.requestsPerWindow ?? 1,
        timeWindow: options.rateLimitWindowMs,
        errorResponseBuilder: (request, context) => ({
          statusCode: 429,
          error: 'rate_limited',
          message: `API key "${request.apiClient?.name}" made more than ${context.max} requests in ${context.after}; retry after the Retry-After seconds`,
        }),
      });
    }
    registerVersion(api, 'v1', V1OrderBody, V1Order, fromV1, toV1);
    registerVersion(api, 'v2', V2OrderBody, V2Order, fromV2, toV2);
  });

  function registerVersion<Body>(
    api: FastifyInstance,
    version: 'v1' | 'v2',
    bodySchema: typeof V1OrderBody | typeof V2OrderBody,
    orderSchema: typeof V1Order | typeof V2Order,
    fromBody: (body: Body) => NewOrder,
    render: (order: Order) => object,
  ): void {
    const tags = [version];
    const deprecated = version === 'v1';
    const addVersionHeaders = (reply: { headers(values: Record<string, string>): unknown }) => {
      if (deprecated) reply.headers(deprecationHeaders());
    };
    api.post(
      `/${version}/orders`,
      {
        schema: {
          operationId: `placeOrder${version.toUpperCase()}`,
          summary: 'Place an order; the answer carries its id, and order.created follows on the bus',
          tags,
          deprecated,
          headers: IdempotencyHeaders,
          body: bodySchema,
          response: { 201: orderSchema, 200: orderSchema, '4xx': ErrorBody },
        },
      },
      async (request, reply) => {
        addVersionHeaders(reply);
        const client = request.apiClient;
        if (!client) throw new Error('authentication hook did not run');
        const correlationId = correlationIdOf(request);
        const { order, replayed } = await placeOrder(options.db, {
          order: fromBody(request.body as Body),
          segment: client.segment,
          channel: client.name,
          apiVersion: version,
          correlationId,
          idempotencyKey:
            options.idempotent === false
              ? undefined
              : (request.headers['idempotency-key'] as string | undefined),
        });
        request.log.info(
          { orderId: order.id, correlationId, channel: client.name, replayed },
          'order accepted',
        );
        reply
          .header('x-correlation-id', order.correlationId)
          .header('location', `/${version}/orders/${order.id}`);
        if (replayed) reply.header('idempotent-replayed', 'true');
        return reply.code(201).send(render(order));
      },
    );
    api.get(
      `/${version}/orders/:id`,
      {
        schema: {
          operationId: `getOrder${version.toUpperCase()}`,
          summary: 'One order placed with this API key',
          tags,
          deprecated,
          params: OrderParams,
          response: { 200: orderSchema, '4xx': ErrorBody },
        },
      },
      async (request, reply) => {
        addVersionHeaders(reply);
        const { id } = request.params as { id: string };
        const order = uuidPattern.test(id)
          ? await findOrder(options.db, id, request.apiClient?.name ?? '')
          : undefined;
        if (!order)
          return reply
            .code(404)
            .send({ error: 'order_not_found', message: `no order ${id} for this API key` });
        return render(order);
      },
    );
  }

  return app;
}

function correlationIdOf(request: FastifyRequest): string {
  const given = request.headers['x-correlation-id'];
  return typeof given === 'string' && given !== '' ? given : randomUUID();
}

function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error.validation) {
    return reply.code(400).send({
      error: 'validation_failed',
      message: `the request has ${error.validation.length} problem(s); nothing was stored`,
      details: error.validation.map((issue) => {
        const missing = (issue.params as { missingProperty?: string }).missingProperty;
        const path = `${error.validationContext ?? 'body'}${issue.instancePath.replaceAll('/', '.')}`;
        return { field: missing ? `${path}.${missing}` : path, problem: issue.message ?? 'is invalid' };
      }),
    });
  }
  if (error instanceof IdempotencyConflictError) {
    return reply.code(422).send({ error: 'idempotency_key_reused', message: error.message });
  }
  if (error.statusCode === 429) {
    return reply.code(429).send({ error: 'rate_limited', message: error.message });
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return reply
      .code(415)
      .send({ error: 'unsupported_media_type', message: 'send the order as application/json' });
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return reply.code(error.statusCode).send({ error: 'bad_request', message: error.message });
  }
  request.log.error({ err: error }, 'request failed');
  return reply
    .code(500)
    .send({ error: 'internal_error', message: 'the CRM could not handle the request; retry later' });
}
