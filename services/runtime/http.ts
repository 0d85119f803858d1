// The fastify instance every reference service starts from: our logger, no per-request log lines,
// strict validation that reports every problem and never coerces or drops what the client sent.
import type { IncomingMessage } from 'node:http';
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

/** The most of an over-limit body read (and discarded) before answering 413; beyond, the socket is closed. */
const discardUpToBytes = 64 * 1024 * 1024;
const discardWithinMs = 10_000;

/**
 * Reads the rest of a request body and throws it away. Answering 413 while the client still sends
 * closes the socket on unread data: the client gets a reset, often before it read the 413.
 */
function discardRestOf(request: IncomingMessage): Promise<void> {
  if (request.readableEnded || request.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    let discarded = 0;
    const timer = setTimeout(finish, discardWithinMs);
    function onData(chunk: Buffer) {
      discarded += chunk.length;
      if (discarded > discardUpToBytes) finish();
    }
    function finish() {
      clearTimeout(timer);
      request.off('data', onData).off('end', finish).off('error', finish).off('close', finish);
      resolve();
    }
    request.on('data', onData).on('end', finish).on('error', finish).on('close', finish);
    request.resume();
  });
}

export function createHttpApp(log: Logger, options: { coerceTypes?: boolean } = {}): FastifyInstance {
  const coerceTypes = options.coerceTypes ?? false;
  const app = Fastify({
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
  app.addHook('onError', async (request, _reply, error) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') await discardRestOf(request.raw);
  });
  return app;
}
