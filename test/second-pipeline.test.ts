// The second pipeline (test/fixtures/second-pipeline) keeps what its README promises: it prices as the
// reference does, a purchase delivered twice makes one job, poison goes to the dead-letter queue, a
// broker restart loses nothing, and its fault switch drops exactly the business purchases. One broker
// (a container of this file's own: it is restarted) and one set of services serve every case.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RabbitMQContainer, type StartedRabbitMQContainer } from '@testcontainers/rabbitmq';
import amqp, { type ConfirmChannel } from 'amqplib';
import { defaultImages } from '../src/config/images.ts';
import { freePort } from '../src/drivers/ports.ts';
import { eventually } from '../src/wait/eventually.ts';
import { dockerMissing, skipWhenMissing } from './support/needs.ts';

const skip = skipWhenMissing('second pipeline tests', await dockerMissing());
const folder = fileURLToPath(new URL('./fixtures/second-pipeline/', import.meta.url));

interface LogLine {
  svc?: string;
  msg?: string;
  jobRef?: string;
  [field: string]: unknown;
}

/** A service of the second pipeline running as a child process of this test. */
interface Service {
  file: string;
  url: string;
  child: ChildProcess;
  lines: LogLine[];
  stderr: string[];
}

interface Job {
  ref: string;
  buyer: string;
  phase: string;
  tier: string;
  amount: { minor: number; currency: string } | null;
  queuedAt: string;
  finishedAt: string | null;
  reason: string | null;
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** Every service started, so that `after` stops each one whatever happened. */
const started: Service[] = [];

/** Spawns `node <file>` on a free port and waits for its health path to answer 200. */
async function startService(
  file: string,
  health: string,
  env: (port: number) => Record<string, string>,
): Promise<Service> {
  const port = await freePort();
  // Not this process's environment: a node:test child's variables must not reach the services.
  const child = spawn(process.execPath, [`${folder}${file}`], {
    env: { PATH: process.env.PATH ?? '', ...env(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const service: Service = { file, url: `http://127.0.0.1:${port}`, child, lines: [], stderr: [] };
  started.push(service);
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    try {
      service.lines.push(JSON.parse(line) as LogLine);
    } catch {
      service.lines.push({ msg: line });
    }
  });
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) =>
    service.stderr.push(line),
  );
  await eventually(
    async () => {
      if (exited(child)) throw new Error(`${file} exited (${child.exitCode}): ${service.stderr.join('\n')}`);
      const answer = await fetch(`${service.url}${health}`);
      return answer.status === 200 ? true : undefined;
    },
    { within: 20_000, description: `${file} answering 200 at ${health}` },
  );
  return service;
}

/** SIGTERM, and SIGKILL if it has not ended within 5 s. */
async function stopService(service: Service): Promise<void> {
  if (exited(service.child)) return;
  service.child.kill('SIGTERM');
  try {
    await eventually(() => (exited(service.child) ? true : undefined), {
      within: 5_000,
      description: `${service.file} ending after SIGTERM`,
    });
  } catch {
    service.child.kill('SIGKILL');
  }
}

const describeLogs = (services: readonly Service[]) =>
  services
    .map((service) =>
      [
        `--- ${service.file}`,
        ...service.lines.slice(-25).map((line) => JSON.stringify(line)),
        ...service.stderr,
      ]
        .slice(-30)
        .join('\n'),
    )
    .join('\n');

describe('the second pipeline', { timeout: 240_000, skip }, () => {
  let broker: StartedRabbitMQContainer | undefined;
  let amqpUrl: string;
  let storefront: Service;
  let plant: Service;
  let tariff: Service;

  const startPlant = (extra: Record<string, string> = {}) =>
    startService('plant.mjs', '/status', (port) => ({
      PLANT_AMQP_ADDRESS: amqpUrl,
      PLANT_LISTEN_PORT: String(port),
      ...extra,
    }));

  before(async () => {
    const amqpPort = await freePort();
    broker = await new RabbitMQContainer(defaultImages.rabbitmq)
      // A fixed host port: the services' URL stays valid across the restart.
      .withExposedPorts({ container: 5672, host: amqpPort })
      .withLabels({ 'org.mes-e2e.purpose': 'test' })
      .start();
    amqpUrl = `amqp://guest:guest@${broker.getHost()}:${amqpPort}`;
    // Plant and tariff first: they declare the queues that storefront's messages are routed to.
    [plant, tariff] = await Promise.all([
      startPlant(),
      startService('tariff.mjs', '/healthz', (port) => ({ TARIFF_BUS: amqpUrl, TARIFF_PORT: String(port) })),
    ]);
    storefront = await startService('storefront.mjs', '/ping', (port) => ({
      SHOP_BROKER: amqpUrl,
      SHOP_HTTP_PORT: String(port),
    }));
  });

  after(async () => {
    await Promise.allSettled(started.map(stopService));
    await broker?.stop();
  });

  /** Runs a case; when it fails, the services' last log lines go to the test's diagnostics. */
  const proves = (name: string, body: () => Promise<void>) =>
    it(name, async (t: TestContext) => {
      try {
        await body();
      } catch (error) {
        t.diagnostic(describeLogs(started));
        throw error;
      }
    });

  const newBuyer = () => `buyer-${randomUUID().slice(0, 8)}`;
  const chairsAndLamp = [
    { product: 'CHAIR-OAK', count: 2 },
    { product: 'LAMP', count: 1 },
  ];

  const post = async (body: unknown) => {
    const answer = await fetch(`${storefront.url}/api/v3/purchases`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: answer.status, body: (await answer.json()) as Record<string, unknown> };
  };

  const place = async (buyer: string, tier: string, items: unknown[], money = 'EUR') => {
    const answer = await post({ buyer: { ref: buyer, tier }, items, money });
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    assert.match(String(answer.body.purchaseNo), /^PU-[0-9a-f-]{36}$/);
    return String(answer.body.purchaseNo);
  };

  const jobAnswer = async (ref: string) => {
    const answer = await fetch(`${plant.url}/jobs/${encodeURIComponent(ref)}`);
    return { status: answer.status, body: (await answer.json()) as { job?: Job; problem?: string } };
  };

  /** The job once done or rejected. */
  const finished = (ref: string, within = 20_000) =>
    eventually(
      async () => {
        const answer = await jobAnswer(ref);
        const phase = answer.body.job?.phase;
        if (phase === 'done' || phase === 'rejected') return answer.body.job;
        throw new Error(`${answer.status} ${JSON.stringify(answer.body)}`);
      },
      { within, description: `job ${ref} done or rejected` },
    );

  const linesOf = (service: Service, msg: string, jobRef: string) =>
    service.lines.filter((line) => line.msg === msg && line.jobRef === jobRef);

  const logged = (service: Service, msg: string, jobRef: string) =>
    eventually(() => linesOf(service, msg, jobRef)[0], {
      within: 20_000,
      description: `${service.file} logging "${msg}" for ${jobRef}`,
    });

  /** A confirm channel of the test's own on the broker, closed after `use`. */
  const withChannel = async <T>(use: (channel: ConfirmChannel) => Promise<T>): Promise<T> => {
    const connection = await amqp.connect(amqpUrl);
    try {
      return await use(await connection.createConfirmChannel());
    } finally {
      await connection.close();
    }
  };

  const publishRaw = (channel: ConfirmChannel, routingKey: string, content: string, messageId: string) => {
    channel.publish('shop.events', routingKey, Buffer.from(content), {
      persistent: true,
      contentType: 'application/json',
      messageId,
    });
    return channel.waitForConfirms();
  };

  proves('prices a consumer purchase of CHAIR-OAK x2 + LAMP x1 in EUR at 29250 cents', async () => {
    const buyer = newBuyer();
    const ref = await place(buyer, 'consumer', chairsAndLamp);
    const job = await finished(ref);
    assert.equal(job?.phase, 'done', JSON.stringify(job));
    assert.deepEqual(job.amount, { minor: 29_250, currency: 'EUR' });
    assert.equal(job.tier, 'consumer');
    assert.equal(job.buyer, buyer);
    assert.equal(job.reason, null);
    assert.ok(Date.parse(String(job.finishedAt)) >= Date.parse(job.queuedAt));
  });

  proves(
    'answers a client mistake with 400 and a problem, and an unknown product ends rejected',
    async () => {
      for (const body of [
        '{"buyer":',
        { buyer: { ref: 'x', tier: 'vip' }, items: chairsAndLamp, money: 'EUR' },
      ]) {
        const answer = await post(body);
        assert.equal(answer.status, 400, JSON.stringify(answer.body));
        assert.equal(typeof answer.body.problem, 'string');
      }
      const ref = await place(newBuyer(), 'consumer', [{ product: 'SOFA', count: 1 }]);
      const job = await finished(ref);
      assert.equal(job?.phase, 'rejected', JSON.stringify(job));
      assert.equal(job.amount, null);
      assert.match(String(job.reason), /SOFA/);
    },
  );

  proves('makes one job of a purchase delivered twice', async () => {
    const buyer = newBuyer();
    const purchaseNo = `PU-${randomUUID()}`;
    const purchase = JSON.stringify({
      purchaseNo,
      buyer: { ref: buyer, tier: 'consumer' },
      items: [{ product: 'LAMP', count: 1 }],
      money: 'EUR',
      placedAt: new Date().toISOString(),
    });
    const messageId = randomUUID();
    await withChannel(async (channel) => {
      await publishRaw(channel, 'purchase.placed.consumer', purchase, messageId);
      await publishRaw(channel, 'purchase.placed.consumer', purchase, messageId);
    });
    await logged(plant, 'duplicate purchase ignored', purchaseNo);
    const job = await finished(purchaseNo);
    assert.deepEqual(job?.amount, { minor: 3_450, currency: 'EUR' });
    const list = (await (await fetch(`${plant.url}/jobs?buyer=${buyer}`)).json()) as { jobs: Job[] };
    assert.deepEqual(
      list.jobs.map((listed) => listed.ref),
      [purchaseNo],
    );
    assert.equal(linesOf(plant, 'quote wanted', purchaseNo).length, 1, 'one quote.wanted only');
  });

  proves('dead-letters poison on shop.events to plant.intake.dead', async () => {
    const notJson = `not-json-${randomUUID()}`;
    const noPurchaseNo = `no-purchase-no-${randomUUID()}`;
    const poison = new Map([
      [notJson, 'this is { not JSON'],
      [
        noPurchaseNo,
        JSON.stringify({ buyer: { ref: 'x', tier: 'business' }, items: chairsAndLamp, money: 'EUR' }),
      ],
    ]);
    await withChannel(async (channel) => {
      await publishRaw(channel, 'purchase.placed.consumer', String(poison.get(notJson)), notJson);
      await publishRaw(channel, 'purchase.placed.business', String(poison.get(noPurchaseNo)), noPurchaseNo);
      const dead = new Map<string, amqp.GetMessage>();
      await eventually(
        async () => {
          for (let message = await channel.get('plant.intake.dead'); message; ) {
            channel.ack(message);
            dead.set(String(message.properties.messageId), message);
            message = await channel.get('plant.intake.dead');
          }
          return [...poison.keys()].every((id) => dead.has(id)) ? true : undefined;
        },
        { within: 20_000, description: 'both poison messages in plant.intake.dead' },
      );
      for (const [id, content] of poison) {
        const message = dead.get(id);
        assert.equal(message?.content.toString('utf8'), content, 'the body byte for byte');
        const headers = message?.properties.headers ?? {};
        assert.equal(headers['x-first-death-reason'], 'rejected');
        assert.equal(headers['x-first-death-queue'], 'plant.intake');
      }
    });
    const whys = plant.lines.filter((line) => line.msg === 'purchase dead-lettered').map((line) => line.why);
    assert.ok(whys.includes('body is not JSON') && whys.includes('no purchaseNo'), JSON.stringify(whys));
    assert.equal((await fetch(`${plant.url}/status`)).status, 200, 'plant still consuming');
  });

  proves('loses neither purchase around a broker restart', async () => {
    const buyer = newBuyer();
    const first = await place(buyer, 'consumer', chairsAndLamp);
    assert.ok(broker);
    // Graceful (15 s to stop), as an operator's restart would be.
    const restarted = broker.restart({ timeout: 15_000 });
    restarted.catch(() => {}); // awaited below; a failure before that is not an unhandled one
    // The storefront sees the broker go; a purchase it takes now waits in its memory.
    await eventually(
      async () => ((await fetch(`${storefront.url}/ping`)).status === 503 ? true : undefined),
      { within: 20_000, description: 'storefront /ping 503 while the broker is away' },
    );
    const during = await place(buyer, 'consumer', [{ product: 'LAMP', count: 2 }], 'PLN');
    await restarted;
    const afterwards = await place(buyer, 'business', [{ product: 'DESK-OAK', count: 10 }]);
    const jobs = await Promise.all([first, during, afterwards].map((ref) => finished(ref, 60_000)));
    assert.deepEqual(
      jobs.map((job) => job?.amount),
      [
        { minor: 29_250, currency: 'EUR' },
        { minor: 29_670, currency: 'PLN' },
        { minor: 427_500, currency: 'EUR' },
      ],
    );
    assert.ok(
      storefront.lines.some((line) => line.msg === 'broker lost'),
      'the storefront saw the restart',
    );
  });

  proves('with PLANT_DROP_TIER=business, drops business purchases only', async () => {
    await stopService(plant);
    plant = await startPlant({ PLANT_DROP_TIER: 'business' });
    const buyer = newBuyer();
    const business = await place(buyer, 'business', [{ product: 'DESK-OAK', count: 10 }]);
    const consumer = await place(buyer, 'consumer', chairsAndLamp);
    const job = await finished(consumer);
    assert.deepEqual(job?.amount, { minor: 29_250, currency: 'EUR' });
    await logged(plant, 'purchase dropped (PLANT_DROP_TIER)', business);
    const answer = await jobAnswer(business);
    assert.equal(answer.status, 404);
    assert.deepEqual(answer.body, { problem: 'no such job' });
    assert.equal(linesOf(plant, 'quote wanted', business).length, 0, 'no quote.wanted for it');
    assert.equal(linesOf(tariff, 'quote.ready', business).length, 0, 'tariff never saw it');
  });
});
