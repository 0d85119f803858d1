// The reference services' fault switches, which let the harness prove that it blocks a broken product:
// each probe passes on the correct service and shows the bug with the switch on; a bad value stops the service.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import amqp from 'amqplib';
import pg from 'pg';
import { answerChecker } from '../src/contracts/answer-checks.ts';
import type { BusMessage, BusObserver } from '../src/drivers/bus-observer.ts';
import { type CrmClient, createCrmClient } from '../src/drivers/crm-client.ts';
import { databaseOf, httpBaseUrlOf } from '../src/drivers/endpoints.ts';
import type { HttpAnswer } from '../src/drivers/http-client.ts';
import { createMesClient, type MesClient, type MesOrder } from '../src/drivers/mes-client.ts';
import type { EnvironmentRecord } from '../src/environment/environment.ts';
import type { ServiceName } from '../src/environment/services.ts';
import { eventually } from '../src/wait/eventually.ts';
import { placeOrders } from './support/place-orders.ts';
import { repoRoot, runCommand } from './support/run-cli.ts';
import { type LogEntry, serviceLog } from './support/service-log.ts';
import { apiKey, type Components, handleOf, startTestEnvironment } from './support/test-environment.ts';

interface Pipeline {
  record: EnvironmentRecord;
  /** A bus observer of the reference journey on the pipeline's broker. */
  observeBus(): Promise<BusObserver>;
  crm: CrmClient;
  mes: MesClient;
  key(name: string): string;
  /** What the service has logged so far. */
  log(name: ServiceName): LogEntry[];
  /** Ready messages of a queue right now (passive declare: not the management API's delayed figures). */
  readyMessages(queue: string): Promise<number>;
}

/** Starts an environment with these settings of the services, runs `work`, and stops everything again. */
async function withPipeline(
  settings: Partial<Record<ServiceName, Record<string, string>>>,
  work: (pipeline: Pipeline) => Promise<void>,
): Promise<void> {
  const services = { ...settings, pricing: { PRICING_COST_MS: '5', ...settings.pricing } };
  const components: Components = Object.fromEntries(
    Object.entries(services).map(([name, env]) => [name, { source: 'process', env }]),
  );
  const environment = await startTestEnvironment({ components });
  const { record } = environment;
  let connection: amqp.ChannelModel | undefined;
  try {
    connection = await amqp.connect(record.endpoints.rabbitmq.amqpUrl);
    const channel = await connection.createChannel();
    await work({
      record,
      observeBus: environment.observeBus,
      crm: createCrmClient(httpBaseUrlOf(record.endpoints, 'crm')),
      mes: createMesClient(httpBaseUrlOf(record.endpoints, 'mes')),
      key: (name) => apiKey(record, name),
      log: (name) => serviceLog(record, name),
      readyMessages: async (queue) => (await channel.checkQueue(queue)).messageCount,
    });
  } finally {
    await connection?.close();
    await environment.stop();
  }
}

const orderIdOf = (message: BusMessage) => (message.body as { orderId?: unknown } | null)?.orderId;

function assertFaultWarning(p: Pipeline, service: ServiceName, expected: string | undefined): void {
  const warnings = p.log(service).filter((entry) => String(entry.msg).startsWith('fault injected:'));
  if (expected === undefined) {
    assert.deepEqual(warnings, [], `${service} warns of no fault`);
    return;
  }
  assert.equal(warnings.length, 1, `${service} warns once: ${JSON.stringify(warnings)}`);
  assert.equal(warnings[0]?.level, 40, 'as a warning');
  assert.equal(warnings[0]?.fault, expected);
}

describe('PRICING_FAULT=drop-b2b', { timeout: 120_000 }, () => {
  /**
   * Places a B2B order, waits until pricing has taken its request off the queue, then places a B2C order
   * and waits for its result. One pricing instance with prefetch 1 gets the B2C request only after it has
   * acked the B2B one, and pricing publishes a result (confirmed) before it acks: so when the B2C result
   * is on the bus, a B2B result, had there been one, was routed before it and is on the bus too.
   */
  async function probe(fault: string | undefined) {
    let outcome: { b2bResults: string[]; b2bStatus: string; pricingQueues: number[] } | undefined;
    const pricingEnv = { PRICING_PREFETCH: '1', ...(fault ? { PRICING_FAULT: fault } : {}) };
    await withPipeline({ pricing: pricingEnv }, async (p) => {
      assertFaultWarning(p, 'pricing', fault && `PRICING_FAULT=${fault}`);
      const bus: BusObserver = await p.observeBus();
      const { mes } = p;
      try {
        const [b2b = ''] = await placeOrders(p.crm, 1, {
          apiKey: p.key('b2b-portal'),
          customer: 'probe-b2b',
          sku: 'DESK-OAK',
        });
        await bus.waitFor((m) => m.routingKey === 'pricing.requested' && orderIdOf(m) === b2b, {
          within: 15_000,
          description: 'the B2B pricing request on the bus',
        });
        await eventually(async () => ((await p.readyMessages('pricing.requests')) === 0 ? true : undefined), {
          within: 15_000,
          description: 'pricing took the B2B request off its queue',
        });
        const [b2c = ''] = await placeOrders(p.crm, 1, {
          apiKey: p.key('b2c-web'),
          customer: 'probe-b2c',
          sku: 'LAMP',
        });
        await bus.waitFor((m) => m.routingKey === 'pricing.completed' && orderIdOf(m) === b2c, {
          within: 15_000,
          description: 'the later B2C order priced',
        });
        await mes.waitForStatus(b2c, 'priced', { within: 15_000 });
        // What the pricing exchange carried for the B2B order besides its request.
        const b2bResults = bus
          .seen()
          .filter(
            (m) => m.exchange === 'pricing' && orderIdOf(m) === b2b && m.routingKey !== 'pricing.requested',
          )
          .map((m) => m.routingKey);
        if (b2bResults.length > 0) await mes.waitForStatus(b2b, 'priced', { within: 15_000 });
        const view = await mes.findOrder(b2b);
        outcome = {
          b2bResults,
          b2bStatus: view?.status ?? 'unknown to MES',
          pricingQueues: [
            await p.readyMessages('pricing.requests'),
            await p.readyMessages('pricing.requests.dead'),
          ],
        };
      } finally {
        await bus.close();
      }
    });
    return outcome ?? assert.fail('probe did not finish');
  }

  it('off: a B2B order placed before a B2C one is priced before it', async () => {
    const outcome = await probe(undefined);
    assert.deepEqual(outcome.b2bResults, ['pricing.completed']);
    assert.equal(outcome.b2bStatus, 'priced');
  });

  it('on: the B2B request is consumed and never answered, while a later B2C order is priced', async () => {
    const outcome = await probe('drop-b2b');
    assert.deepEqual(outcome.b2bResults, [], 'no pricing result for the B2B order');
    assert.equal(outcome.b2bStatus, 'pricing', 'MES still waits for its price');
    assert.deepEqual(
      outcome.pricingQueues,
      [0, 0],
      'the request was acked: neither queued nor dead-lettered',
    );
  });
});

describe('MES_FAULT=ack-before-commit', { timeout: 120_000 }, () => {
  /**
   * Makes MES lose its database connection in the middle of recording an order, deterministically: a
   * lock held by the test makes MES's insert wait, and the test terminates that connection (as a
   * failover would). Returns the order's id once the lock is released.
   */
  async function dropConnectionWhileRecording(p: Pipeline): Promise<string> {
    const databaseUrl = databaseOf(p.record.endpoints).databaseUrl;
    const locker = new pg.Client({ connectionString: databaseUrl });
    // A second session: inside a transaction pg_stat_activity is a snapshot that never changes.
    const observer = new pg.Client({ connectionString: databaseUrl });
    await Promise.all([locker.connect(), observer.connect()]);
    try {
      await locker.query('begin');
      // Blocks writes to the table, not reads: the MES API keeps answering.
      await locker.query('lock table mes.orders in share mode');
      const [id = ''] = await placeOrders(p.crm, 1, {
        apiKey: p.key('b2c-web'),
        customer: 'connection-dropped',
        sku: 'LAMP',
      });
      const pid = await eventually(
        async () => {
          const { rows } = await observer.query<{ pid: number }>(
            `select pid from pg_stat_activity where datname = current_database()
                and wait_event_type = 'Lock' and query like 'insert into orders %'`,
          );
          return rows[0]?.pid;
        },
        { within: 15_000, description: "MES's insert of the order waiting on the lock" },
      );
      const terminated = await observer.query('select pg_terminate_backend($1) as done', [pid]);
      assert.equal(terminated.rows[0]?.done, true);
      await locker.query('commit');
      return id;
    } finally {
      await Promise.all([locker.end(), observer.end()]);
    }
  }

  async function rowsFor(p: Pipeline, id: string) {
    const client = new pg.Client({ connectionString: databaseOf(p.record.endpoints).databaseUrl });
    await client.connect();
    try {
      const mes = await client.query('select status from mes.orders where id = $1', [id]);
      const sent = await client.query('select sent_at from crm.outbox where message_id = $1', [id]);
      return { inMes: mes.rowCount, publishedByCrm: sent.rows[0]?.sent_at instanceof Date };
    } finally {
      await client.end();
    }
  }

  it('off: the order whose connection dropped is recorded and priced after a retry', async () => {
    await withPipeline({}, async (p) => {
      assertFaultWarning(p, 'mes', undefined);
      const id = await dropConnectionWhileRecording(p);
      await p.mes.waitForStatus(id, 'priced', { within: 30_000 });
    });
  });

  it('on: the order whose connection dropped is lost: acked, never recorded, not dead-lettered', async () => {
    await withPipeline({ mes: { MES_FAULT: 'ack-before-commit' } }, async (p) => {
      assertFaultWarning(p, 'mes', 'MES_FAULT=ack-before-commit');
      const id = await dropConnectionWhileRecording(p);
      // Stopped, MES holds no delivery: a message it had not acked would be back in the queue now
      // (the broker requeues before it confirms the channel's close, which MES waits for).
      assert.equal(await handleOf(p.record, 'mes').stop(), 'exit code 0');
      assert.equal(await p.readyMessages('mes.orders'), 0, 'the broker no longer has the order');
      assert.equal(await p.readyMessages('mes.orders.dead'), 0, 'nor was it dead-lettered');
      assert.deepEqual(await rowsFor(p, id), { inMes: 0, publishedByCrm: true }, 'MES never recorded it');
    });
  });
});

describe('MES_FAULT=undeclared-status', { timeout: 120_000 }, () => {
  const mesDocument = JSON.parse(readFileSync(join(repoRoot, 'services/mes/openapi.json'), 'utf8'));

  /** A priced order read back through the MES client: the raw answer MES gave, and what the client returned. */
  async function readPricedOrder(fault: string | undefined) {
    let read: { order: MesOrder | undefined; answer: HttpAnswer | undefined } = {
      order: undefined,
      answer: undefined,
    };
    await withPipeline({ mes: fault ? { MES_FAULT: fault } : {} }, async (p) => {
      assertFaultWarning(p, 'mes', fault && `MES_FAULT=${fault}`);
      const [id = ''] = await placeOrders(p.crm, 1, {
        apiKey: p.key('b2c-web'),
        customer: 'contract',
        sku: 'LAMP',
      });
      await p.mes.waitForStatus(id, 'priced', { within: 30_000 });
      let answer: HttpAnswer | undefined;
      const mes = createMesClient(httpBaseUrlOf(p.record.endpoints, 'mes'), {
        onAnswer: (_request, got) => {
          answer = got;
        },
      });
      read = { order: await mes.findOrder(id), answer };
    });
    return read;
  }

  const checkMes = answerChecker('mes', mesDocument);
  const readOf = (order: MesOrder | undefined) => ({ method: 'GET', path: `/api/orders/${order?.id}` });

  it('off: an order read answers 200, as openapi.json declares', async () => {
    const { order, answer } = await readPricedOrder(undefined);
    assert.equal(answer?.status, 200);
    assert.equal(order?.status, 'priced');
    assert.deepEqual(checkMes(readOf(order), answer ?? assert.fail('no answer')), []);
  });

  it('on: an order read answers 203 with the same order, a status openapi.json does not declare', async () => {
    const { order, answer } = await readPricedOrder('undeclared-status');
    assert.equal(answer?.status, 203);
    assert.equal(order?.status, 'priced', 'the client still gets the order');
    const violations = checkMes(readOf(order), answer ?? assert.fail('no answer'));
    assert.deepEqual(
      violations.map(({ where, problem }) => ({ where, problem })),
      [{ where: 'mes GET /api/orders/{id}', problem: 'status 203 is not declared (declared: 200, 404)' }],
    );
  });
});

describe('CRM_RATE_LIMIT=off', { timeout: 60_000 }, () => {
  /** The partner key's allowance, and the statuses of that many + 3 orders from it, well inside one window. */
  async function partnerBurst(crmEnv: Record<string, string>, fault: string | undefined) {
    const statuses: number[] = [];
    let limit = 0;
    const env = { CRM_RATE_LIMIT_WINDOW_MS: '3600000', ...crmEnv };
    await withPipeline({ crm: env }, async (p) => {
      assertFaultWarning(p, 'crm', fault);
      limit =
        p.record.endpoints.apiKeys.find((k) => k.name === 'partner-acme')?.requestsPerWindow ??
        assert.fail('partner-acme has no limit');
      const body = { customer: { id: 'burst' }, lines: [{ sku: 'LAMP', quantity: 1 }], currency: 'EUR' };
      for (let i = 0; i < limit + 3; i++)
        statuses.push(
          (await p.crm.placeOrder({ version: 'v2', apiKey: p.key('partner-acme'), body })).status,
        );
    });
    return { limit, statuses };
  }
  const times = (count: number, status: number) => Array.from({ length: count }, () => status);

  it('on (the default): the partner key gets 429 after its limit', async () => {
    const { limit, statuses } = await partnerBurst({ CRM_RATE_LIMIT: 'on' }, undefined);
    assert.deepEqual(statuses, [...times(limit, 201), 429, 429, 429]);
  });

  it('off: the partner key never gets 429', async () => {
    const { limit, statuses } = await partnerBurst({ CRM_RATE_LIMIT: 'off' }, 'CRM_RATE_LIMIT=off');
    assert.deepEqual(statuses, times(limit + 3, 201));
  });
});

describe('fault switch configuration', () => {
  const valid = {
    DATABASE_URL: 'postgres://u:p@127.0.0.1:1/db',
    AMQP_URL: 'amqp://u:p@127.0.0.1:1/vhost',
    CRM_API_KEYS: JSON.stringify([{ name: 'web', key: 'a-key-of-sixteen-chars', segment: 'b2c' }]),
  };
  const cases: Array<[ServiceName, Record<string, string>, RegExp]> = [
    [
      'pricing',
      { PRICING_FAULT: 'drop-b2c' },
      /^pricing: configuration error: PRICING_FAULT: expected one or more of "drop-b2b", "stop-on-b2b", .* \(separated by commas\) or unset, got "drop-b2c"$/,
    ],
    [
      'mes',
      { MES_FAULT: 'ack-early' },
      /^mes: configuration error: MES_FAULT: expected one or more of "ack-before-commit", "undeclared-status", .* \(separated by commas\) or unset, got "ack-early"$/,
    ],
    [
      'crm',
      { CRM_RATE_LIMIT: 'false' },
      /^crm: configuration error: CRM_RATE_LIMIT: expected "on", "off" or unset, got "false"$/,
    ],
  ];
  for (const [service, env, expected] of cases) {
    const [[variable, value]] = Object.entries(env) as [[string, string]];
    it(`${service} stops with exit 1 and one line for ${variable}=${value}`, async () => {
      const result = await runCommand(process.execPath, [`services/${service}/src/server.ts`], {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? '', ...valid, ...env },
        timeoutMs: 20_000,
      });
      assert.equal(result.code, 1, result.stdout + result.stderr);
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line, got:\n${result.stderr}`);
      assert.match(lines[0] ?? '', expected);
    });
  }
});
