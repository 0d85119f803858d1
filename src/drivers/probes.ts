// Real readiness probes, each one attempt with its own deadline: an AMQP handshake, the RabbitMQ
// management API, SQL `select 1`, HTTP and TCP. Callers repeat them (waitUntil) when they wait.
import { connect as tcpConnect } from 'node:net';
import amqp from 'amqplib';
import pg from 'pg';

const attemptMs = 5_000;

export async function amqpHandshake(url: string): Promise<void> {
  const connection = await amqp.connect(url, { timeout: attemptMs });
  connection.on('error', ignoreDroppedConnection);
  await connection.close();
}

/**
 * A connection the server drops (a restart, a database dropped with FORCE) is an 'error' event on the
 * client; without a listener it would crash the process. The probe's own promise says it failed.
 */
export function ignoreDroppedConnection(): void {}

/** The management API's origin and Basic authorization, from a URL that carries user and password. */
export function managementAccess(managementUrl: string): { origin: string; authorization: string } {
  const url = new URL(managementUrl);
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return {
    origin: `${url.protocol}//${url.host}`,
    authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
  };
}

export async function managementOverview(managementUrl: string): Promise<void> {
  const { origin, authorization } = managementAccess(managementUrl);
  const response = await fetch(`${origin}/api/overview`, {
    headers: { authorization },
    signal: AbortSignal.timeout(attemptMs),
  });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
}

export async function sqlSelectOne(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: attemptMs });
  client.on('error', ignoreDroppedConnection);
  await client.connect();
  try {
    await client.query('select 1');
  } finally {
    await client.end();
  }
}

/**
 * A replica's lag as postgres_exporter defines it, on the replica's own clock: 0 while it has applied
 * every WAL record it received, else the age of the last transaction it applied.
 */
export const replayLagSql = `case when pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() then 0
  else greatest(0, extract(epoch from now() - pg_last_xact_replay_timestamp()) * 1000) end::float8`;

/**
 * The database at the URL as a read replica: a hot standby that takes queries and streams from its
 * primary (its WAL receiver says "streaming"), and how far its replay lags; throws when it is not that.
 */
export async function standbyState(databaseUrl: string): Promise<{ lagMs: number }> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: attemptMs });
  client.on('error', ignoreDroppedConnection);
  await client.connect();
  try {
    const { rows } = await client.query<{ standby: boolean; receiver: string | null; lag_ms: number | null }>(
      `select pg_is_in_recovery() as standby, (select status from pg_stat_wal_receiver) as receiver,
              ${replayLagSql} as lag_ms`,
    );
    const [row] = rows;
    if (!row?.standby) throw new Error('not a hot standby: pg_is_in_recovery() is false');
    if (row.receiver !== 'streaming')
      throw new Error(
        `a hot standby, but its WAL receiver is ${row.receiver ?? 'not running'}, not streaming`,
      );
    return { lagMs: Math.round(row.lag_ms ?? 0) };
  } finally {
    await client.end();
  }
}

/** Resolves when the database at the URL is a hot standby streaming from its primary: a read replica. */
export async function sqlStandbyStreaming(databaseUrl: string): Promise<void> {
  await standbyState(databaseUrl);
}

/** Resolves when the URL answers HTTP at all (any status): someone else's service is up. */
export async function httpAnswers(url: string): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(attemptMs) });
  await response.body?.cancel();
}

/** Resolves when the URL answers 2xx: a health endpoint says ready. */
export async function httpReady(url: string): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(attemptMs) });
  await response.body?.cancel();
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
}

/** Resolves when something accepts TCP connections on the port of this machine. */
export function tcpListening(port: number, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect({ port, host, timeout: attemptMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => {
      socket.destroy();
      reject(new Error(`no answer on ${host}:${port}`));
    });
    socket.once('error', reject);
  });
}

/** One attempt at a component's readiness, as data: the environment says which, a driver probes. */
export type Readiness =
  | { probe: 'amqp-handshake'; url: string }
  | { probe: 'sql-select-one'; url: string }
  /** A hot standby streaming from its primary: a read replica. */
  | { probe: 'sql-standby-streaming'; url: string }
  /** Answers 2xx: a health endpoint says ready. */
  | { probe: 'http-ready'; url: string }
  /** Answers at all: someone else's service is up. */
  | { probe: 'http-answers'; url: string }
  | { probe: 'tcp-listening'; port: number; host?: string };

export function readinessProbe(readiness: Readiness): () => Promise<void> {
  switch (readiness.probe) {
    case 'amqp-handshake':
      return () => amqpHandshake(readiness.url);
    case 'sql-select-one':
      return () => sqlSelectOne(readiness.url);
    case 'sql-standby-streaming':
      return () => sqlStandbyStreaming(readiness.url);
    case 'http-ready':
      return () => httpReady(readiness.url);
    case 'http-answers':
      return () => httpAnswers(readiness.url);
    case 'tcp-listening':
      return () => tcpListening(readiness.port, readiness.host);
  }
}
