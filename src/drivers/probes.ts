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
    case 'http-ready':
      return () => httpReady(readiness.url);
    case 'http-answers':
      return () => httpAnswers(readiness.url);
    case 'tcp-listening':
      return () => tcpListening(readiness.port, readiness.host);
  }
}
