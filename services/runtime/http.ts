// The fastify instance every reference service starts from: our logger, no per-request log lines,
// strict validation that reports every problem and never coerces or drops what the client sent.
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from './logger.ts';

/** Listens and logs the address in the "listening" line that process supervisors and tests wait for. */
export async function listen(
  app: FastifyInstance,
  address: { host: string; port: number },
  log: Logger,
  details: Record<string, unknown> = {},
): Promise<string> {
  // A fresh object: fastify writes into the options it is given, and configurations are frozen.
  const url = await app.listen({ host: address.host, port: address.port });
  log.info({ ...details, url }, 'listening');
  return url;
}

export function createHttpApp(log: Logger, options: { coerceTypes?: boolean } = {}): FastifyInstance {
  const coerceTypes = options.coerceTypes ?? false;
  return Fastify({
    loggerInstance: log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    ajv: {
      customOptions: {
        allErrors: true,
        removeAdditional: false,
        coerceTypes,
        // Ajv coerces the text "Infinity" to a number, and with strictNumbers then checks no minimum or
        // maximum on it: ?limit=Infinity would pass. Without, the bounds refuse it. Parsed JSON keeps the
        // default, under which a number that overflows to Infinity is no number at all.
        strictNumbers: !coerceTypes,
      },
    },
  });
}
