// The MES HTTP application: the dashboard (static page at /), the order list (keyset paging over
// indexed columns) and its live change feed, one order, metrics.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Database } from '../../runtime/database.ts';
import { type ReadinessChecks, registerHealth } from '../../runtime/health.ts';
import { createHttpApp } from '../../runtime/http.ts';
import type { Logger } from '../../runtime/logger.ts';
import { readMetrics } from './metrics.ts';
import { type OrderChanges, registerOrderEvents } from './order-changes.ts';
import { decodeCursor, findOrder, isOrderId, listOrders, type OrderFilters, statuses } from './orders.ts';
import type { QueueStatsResult } from './queue-stats.ts';
import { createReads, type Reads } from './reads.ts';

export interface MesAppOptions {
  db: Database;
  /** Where reads go (the replica while it streams); the primary `db` for every read without it. */
  reads?: Reads;
  queueStats: () => Promise<QueueStatsResult>;
  readiness: ReadinessChecks;
  changes: OrderChanges;
  log: Logger;
  /**
   * The injected contract break (MES_FAULT=undeclared-status): an order found answers 203 with the
   * same body. A client that takes any 2xx goes on working; only a check against openapi.json sees it.
   */
  undeclaredStatus?: boolean;
  /** The injected analytics bug (MES_FAULT=latency-from-receipt): see metrics.ts. */
  latencyFromReceipt?: boolean;
}

const dashboardFiles = new URL('../public/', import.meta.url).pathname;
// The charting library is served from its npm package, at the version the lock file pins. Its
// exports hide dist/, but its main entry lives there beside the browser build.
const chartJsFiles = dirname(createRequire(import.meta.url).resolve('chart.js'));

const ListQuery = Type.Object(
  {
    status: Type.Optional(Type.Union(statuses.map((s) => Type.Literal(s)))),
    segment: Type.Optional(Type.Union([Type.Literal('b2c'), Type.Literal('b2b')])),
    // PostgreSQL text cannot hold NUL: no customer id has one, and the query would fail on it.
    customer: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[^\\u0000]+$' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    after: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

const MetricsQuery = Type.Object(
  { since: Type.Optional(Type.String({ format: 'date-time' })) },
  { additionalProperties: false },
);

function replyNotFound(request: FastifyRequest, reply: FastifyReply) {
  return reply
    .code(404)
    .send({ error: 'not_found', message: `MES has no route ${request.method} ${request.url}` });
}

const isClientError = (error: FastifyError): error is FastifyError & { statusCode: number } =>
  error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500;

function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error.validation) {
    return reply.code(400).send({
      error: 'invalid_query',
      message: error.validation
        .map((issue) => `${issue.instancePath || issue.params?.additionalProperty || ''} ${issue.message}`)
        .join('; '),
    });
  }
  // @fastify/static refuses a path that is not canonical ("//", "/./", "%2e%2e", a NUL): no file is named so.
  if (error.code === 'FST_STATIC_FORBIDDEN_PATH') return replyNotFound(request, reply);
  // Fastify's and the static files' own client errors: a body that does not parse, is too large or of an
  // unknown type (fastify reads it before it knows no route takes one), a Range past the end of a file.
  if (isClientError(error)) {
    return reply.code(error.statusCode).send({ error: 'bad_request', message: error.message });
  }
  request.log.error({ err: error }, 'request failed');
  return reply.code(500).send({ error: 'internal_error', message: 'MES could not answer; retry later' });
}

/** Says which database answered a read: the replica, or the primary. */
export const readFromHeader = 'x-mes-read-from';

export async function buildMesApp(options: MesAppOptions): Promise<FastifyInstance> {
  const reads = options.reads ?? createReads({ primary: options.db, replica: undefined, log: options.log });
  // Query strings arrive as text: let the schema turn limit into a number.
  const app = createHttpApp(options.log, { coerceTypes: true });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(replyNotFound);
  registerHealth(app, options.readiness);
  await app.register(fastifyStatic, { root: dashboardFiles, prefix: '/', index: 'index.html' });
  await app.register(fastifyStatic, {
    root: chartJsFiles,
    prefix: '/vendor/chart.js/',
    allowedPath: (path) => path === '/chart.umd.min.js',
    decorateReply: false,
  });
  registerOrderEvents(app, options.changes);

  app.get('/api/orders', { schema: { querystring: ListQuery } }, async (request, reply) => {
    const query = request.query as OrderFilters & { limit: number; after?: string };
    let after: ReturnType<typeof decodeCursor> | undefined;
    try {
      after = query.after ? decodeCursor(query.after) : undefined;
    } catch (error) {
      return reply.code(400).send({ error: 'invalid_cursor', message: (error as Error).message });
    }
    const { result, from } = await reads.run((db) => listOrders(db, query, after, query.limit));
    reply.header(readFromHeader, from);
    return result;
  });

  app.get('/api/orders/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const read = isOrderId(id) ? await reads.run((db) => findOrder(db, id)) : undefined;
    if (read) reply.header(readFromHeader, read.from);
    const order = read?.result;
    if (!order) return reply.code(404).send({ error: 'order_not_found', message: `MES has no order ${id}` });
    if (options.undeclaredStatus) reply.code(203);
    return order;
  });

  // The analytics, read where the order list is, and what the replica is doing (state, lag).
  app.get('/api/metrics', { schema: { querystring: MetricsQuery } }, async (request, reply) => {
    const { since } = request.query as { since?: string };
    const { result, from } = await reads.run((db) =>
      readMetrics(db, options.queueStats, { since, latencyFromReceipt: options.latencyFromReceipt }),
    );
    reply.header(readFromHeader, from);
    return { ...result, replica: reads.status() };
  });
  return app;
}
