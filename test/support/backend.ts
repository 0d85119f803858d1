// Gives one test file its own RabbitMQ vhost and PostgreSQL database on the shared infrastructure
// (with the harness's own isolation functions),
// so that test files never see each other's messages or rows.
import { randomBytes } from 'node:crypto';
import { managementAccess } from '../../src/drivers/probes.ts';
import {
  createDatabase,
  createVhost,
  deleteVhost,
  dropDatabase,
  withPath,
} from '../../src/environment/isolation.ts';
import { infrastructureVariables } from './infrastructure.ts';

export interface IsolatedBackend {
  vhost: string;
  database: string;
  amqpUrl: string;
  databaseUrl: string;
  managementUrl: string;
  /** The management API, authenticated, for the backend's vhost (queue depths, publishing raw messages). */
  management(path: string, init?: RequestInit): Promise<Response>;
  dispose(): Promise<void>;
}

function required(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: run the tests through npm test (its global set-up provides it)`);
  return value;
}

function managementRequest(managementUrl: string) {
  const { origin, authorization } = managementAccess(managementUrl);
  return async (path: string, init: RequestInit = {}) =>
    fetch(`${origin}/api${path}`, {
      ...init,
      headers: { authorization, 'content-type': 'application/json', ...init.headers },
    });
}

/** Infrastructure other than the shared one: a test that stops its broker or database brings its own. */
export interface OwnInfrastructure {
  broker?: { amqpUrl: string; managementUrl: string };
  databaseAdminUrl?: string;
}

/** A backend whose vhost and database are named but not created yet: a test creates them when it wants. */
export interface ReservedBackend {
  backend: IsolatedBackend;
  createVhost(): Promise<void>;
  createDatabase(): Promise<void>;
}

export function reserveIsolatedBackend(label: string, own: OwnInfrastructure = {}): ReservedBackend {
  const id = `${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(3).toString('hex')}`;
  const adminAmqp = new URL(own.broker?.amqpUrl ?? required(infrastructureVariables.amqp));
  const managementUrl = own.broker?.managementUrl ?? required(infrastructureVariables.management);
  const adminDatabase = own.databaseAdminUrl ?? required(infrastructureVariables.database);
  const request = managementRequest(managementUrl);
  return {
    backend: {
      vhost: id,
      database: id,
      amqpUrl: withPath(adminAmqp.toString(), id),
      databaseUrl: withPath(adminDatabase, id),
      managementUrl,
      management: (path, init) => request(path.replace('{vhost}', encodeURIComponent(id)), init),
      async dispose() {
        await deleteVhost(managementUrl, id);
        await dropDatabase(adminDatabase, id);
      },
    },
    // The same isolation the harness gives a run: a vhost and a database named after it.
    createVhost: () => createVhost(managementUrl, id, decodeURIComponent(adminAmqp.username)),
    createDatabase: () => createDatabase(adminDatabase, id),
  };
}

export async function createIsolatedBackend(
  label: string,
  own: OwnInfrastructure = {},
): Promise<IsolatedBackend> {
  const reserved = reserveIsolatedBackend(label, own);
  await reserved.createVhost();
  await reserved.createDatabase();
  return reserved.backend;
}
