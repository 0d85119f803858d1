// /health/live (the process answers) and /health/ready (every dependency is connected) for a fastify app.
import type { FastifyInstance } from 'fastify';

export type ReadinessChecks = Record<string, () => boolean | Promise<boolean>>;

export function registerHealth(app: FastifyInstance, checks: ReadinessChecks): void {
  app.get('/health/live', { schema: { hide: true } }, async () => ({ status: 'live' }));
  app.get('/health/ready', { schema: { hide: true } }, async (_request, reply) => {
    const results = Object.fromEntries(
      await Promise.all(
        Object.entries(checks).map(async ([name, check]) => [
          name,
          await Promise.resolve(check()).catch(() => false),
        ]),
      ),
    ) as Record<string, boolean>;
    const ready = Object.values(results).every(Boolean);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: results });
  });
}
