// API-key authentication: X-API-Key is looked up by its hash, so lookups take the same time for any key.
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiClientConfig } from './config.ts';

export type ApiClient = Omit<ApiClientConfig, 'key'>;

declare module 'fastify' {
  interface FastifyRequest {
    apiClient: ApiClient | undefined;
  }
}

const digest = (key: string) => createHash('sha256').update(key).digest('hex');

export function createAuthenticator(clients: readonly ApiClientConfig[]) {
  const byDigest = new Map(clients.map(({ key, ...client }) => [digest(key), client]));
  return async function authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const key = request.headers['x-api-key'];
    if (typeof key !== 'string' || key === '') {
      return reply.code(401).send({
        error: 'missing_api_key',
        message: 'send your API key in the X-API-Key header',
      });
    }
    const client = byDigest.get(digest(key));
    if (!client) {
      return reply.code(401).send({
        error: 'unknown_api_key',
        message: 'the X-API-Key is not known; check the key your account manager gave you',
      });
    }
    request.apiClient = client;
  };
}
