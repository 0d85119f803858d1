// The fastify instance every reference service starts from: our logger, no per-request log lines,
// strict validation that reports every problem and never coerces or drops what the client sent.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from './logger.ts';

export function createHttpApp(log: Logger, options: { coerceTypes?: boolean } = {}): FastifyInstance {
  return Fastify({
    loggerInstance: log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    ajv: {
      customOptions: { allErrors: true, removeAdditional: false, coerceTypes: options.coerceTypes ?? false },
    },
  });
}
