// Structured JSON logs (pino) for every reference service, with secrets redacted.
import { type Logger, pino } from 'pino';

export type { Logger };

export function createLogger(service: string, level = 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    redact: {
      paths: [
        'apiKey',
        '*.apiKey',
        'password',
        '*.password',
        'req.headers["x-api-key"]',
        'req.headers.authorization',
      ],
      censor: '***',
    },
  });
}
