import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigurationError } from '../errors.ts';
import { servicesDir } from './defaults.ts';
import { loadRunPlan } from './load.ts';
import { referenceConfigFile } from './pipeline.ts';

const reference = JSON.parse(readFileSync(referenceConfigFile, 'utf8')) as {
  journey: Record<string, unknown> & { hops: Array<Record<string, unknown>>; state: Record<string, unknown> };
};
const asyncapi = join(servicesDir, 'asyncapi.yaml');
const crmOpenApi = join(servicesDir, 'crm/openapi.json');
const mesOpenApi = join(servicesDir, 'mes/openapi.json');

function project(config: unknown, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'mes-e2e-contracts-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  writeFileSync(join(dir, 'mes-e2e.config.json'), JSON.stringify(config));
  return dir;
}

// One contract cache for the file: most plans parse the same reference documents.
const contractCache = mkdtempSync(join(tmpdir(), 'mes-e2e-pipeline-cache-'));
const load = (cwd: string) =>
  loadRunPlan({
    cwd,
    env: { MES_E2E_CACHE_DIR: contractCache },
    profile: 'containers',
    dockerAnswers: async () => true,
  });

async function problemsOf(cwd: string): Promise<string> {
  try {
    await load(cwd);
  } catch (error) {
    assert.ok(error instanceof ConfigurationError, `expected a ConfigurationError, got ${error}`);
    assert.equal(error.kind, 'usage');
    assert.equal(error.file, join(cwd, 'mes-e2e.config.json'));
    return error.problems.join('\n');
  }
  assert.fail('expected the configuration to be rejected');
}

/**
 * A configuration with a journey of its own, which then names its components and contracts itself:
 * here the reference stack's, given by URL and by absolute path.
 */
const ownPipeline = (journey: unknown) => ({
  journey,
  contracts: { asyncapi, openapi: { crm: crmOpenApi, mes: mesOpenApi } },
  components: Object.fromEntries(
    ['rabbitmq', 'postgres', 'crm', 'mes', 'pricing'].map((name) => [
      name,
      {
        source: 'url',
        url: name === 'rabbitmq' ? 'amqp://b' : name === 'postgres' ? 'postgres://d/x' : `http://${name}`,
      },
    ]),
  ),
});

/** The reference journey with one change. */
const journeyWith = (change: (journey: typeof reference.journey) => void) => {
  const journey = structuredClone(reference.journey);
  change(journey);
  return journey;
};

describe('the plan carries the contracts and the journey', () => {
  it('by default the reference stack: its documents, dereferenced, and its six hops', async () => {
    const plan = await load(mkdtempSync(join(tmpdir(), 'mes-e2e-contracts-')));
    assert.equal(plan.contracts.asyncapi.file, asyncapi);
    assert.equal(plan.contracts.openapi.crm?.file, crmOpenApi);
    assert.equal(plan.contracts.openapi.mes?.file, mesOpenApi);
    assert.equal(plan.contracts.asyncapi.document.asyncapi, '3.0.0');
    const text = JSON.stringify(plan.contracts);
    assert.doesNotMatch(text, /"\$ref"|x-parser-/, 'dereferenced, without the parser annotations');
    assert.deepEqual(structuredClone(plan.contracts), plan.contracts, 'plain data that clones to a worker');
    assert.deepEqual(
      [plan.journey.create, ...plan.journey.hops, plan.journey.state].map((hop) => hop.name),
      [
        'CRM answered',
        'order.created on the bus',
        'MES received',
        'pricing.requested on the bus',
        'pricing.completed on the bus',
        'MES shows the price',
      ],
    );
    assert.deepEqual(
      { method: plan.journey.create.method, path: plan.journey.create.path, id: plan.journey.create.id },
      { method: 'POST', path: '/v2/orders', id: '$.id' },
    );
    const [created, received, requested, priced] = plan.journey.hops;
    assert.ok(created?.kind === 'bus' && requested?.kind === 'bus' && priced?.kind === 'bus');
    assert.deepEqual(created.channels, [
      {
        id: 'orderCreated',
        address: 'order.created.{segment}',
        parameters: { segment: ['b2c', 'b2b'] },
        exchange: { name: 'orders', type: 'topic' },
      },
    ]);
    assert.deepEqual(created.id, { in: 'payload', path: '$.orderId' }, "from the message's correlationId");
    assert.equal(requested.channels[0]?.address, 'pricing.requested');
    assert.deepEqual(priced.messages, ['pricingCompleted', 'pricingFailed']);
    assert.deepEqual(priced.channels[0]?.parameters, { outcome: ['completed', 'failed'] });
    assert.deepEqual(received, { kind: 'state', name: 'MES received', component: 'mes', at: '$.receivedAt' });
    assert.equal(plan.journey.state.path, '/api/orders/{id}');
    assert.equal(plan.journey.state.idParameter, 'id');
    assert.deepEqual(plan.journey.state.states.done, ['priced']);
    assert.ok(Object.isFrozen(plan.journey.hops));
  });

  it("a team's own files, relative to its configuration file", async () => {
    const cwd = project(
      {
        contracts: {
          asyncapi: 'contracts/bus.yaml',
          openapi: { crm: 'contracts/crm.json', mes: mesOpenApi },
        },
      },
      {
        'contracts/bus.yaml': readFileSync(asyncapi, 'utf8'),
        'contracts/crm.json': readFileSync(crmOpenApi, 'utf8'),
      },
    );
    const plan = await load(cwd);
    assert.equal(plan.contracts.asyncapi.file, join(cwd, 'contracts/bus.yaml'));
    assert.equal(plan.contracts.openapi.crm?.file, join(cwd, 'contracts/crm.json'));
  });
});

describe("the reference stack's own speed budgets", () => {
  const shipped = (
    JSON.parse(readFileSync(referenceConfigFile, 'utf8')) as { policy: { budgets: unknown[] } }
  ).policy.budgets;

  it('hold a run of the reference stack, each only when a scenario recorded its figure', async () => {
    const plan = await load(project({ policy: { maxFlaky: 2 } }));
    assert.deepEqual(plan.policy.budgets, shipped);
    assert.deepEqual(
      plan.policy.budgets.map((budget) => [budget.figure, budget.ifRecorded]),
      [
        ['created_to_priced_ms.b2c', true],
        ['created_to_priced_ms.b2b', true],
        ['mes.list_ms', true],
      ],
    );
    assert.equal(plan.policy.maxFlaky, 2, 'the configuration policy keeps them beside its own keys');
  });

  it("give way to the configuration's budgets, and never hold a pipeline of its own", async () => {
    const mine = [{ figure: 'created_to_priced_ms.b2c', statistic: 'p95', max: 800 }];
    const replaced = await load(project({ policy: { budgets: mine } }));
    assert.deepEqual(replaced.policy.budgets, mine);
    const own = await load(project(ownPipeline(reference.journey)));
    assert.deepEqual(own.policy.budgets, [], "a team's pipeline is held to the budgets it gives");
  });
});

describe('contract documents that cannot be used', () => {
  it('an AsyncAPI file that does not parse: the key, the file and the line', async () => {
    const cwd = project(
      { contracts: { asyncapi: 'bus.yaml' } },
      { 'bus.yaml': 'asyncapi: 3.0.0\ninfo: {title: x\n' },
    );
    const problems = await problemsOf(cwd);
    assert.match(
      problems,
      new RegExp(
        `contracts\\.asyncapi: ${join(cwd, 'bus.yaml')} is not a valid AsyncAPI document: .*line 3: Unexpected end of the stream`,
      ),
    );
  });

  it('an AsyncAPI document that breaks the specification: the parser first messages, with their paths', async () => {
    const bus = readFileSync(asyncapi, 'utf8').replace('action: send', 'action: sned');
    const problems = await problemsOf(project({ contracts: { asyncapi: 'bus.yaml' } }, { 'bus.yaml': bus }));
    assert.match(
      problems,
      /contracts\.asyncapi: .*bus\.yaml is not a valid AsyncAPI document: operations\.publishOrderCreated\.action: "action" property must be equal to one of the allowed values/,
    );
  });

  it('an AsyncAPI 2 document is not taken for a 3', async () => {
    const v2 = 'asyncapi: 2.6.0\ninfo: {title: x, version: "1"}\nchannels: {}\n';
    const problems = await problemsOf(project({ contracts: { asyncapi: 'bus.yaml' } }, { 'bus.yaml': v2 }));
    assert.match(problems, /bus\.yaml is AsyncAPI 2\.6\.0; expected an AsyncAPI 3 document/);
  });

  it('a missing file, and a URL', async () => {
    const cwd = project({ contracts: { asyncapi: 'nope.yaml' } });
    assert.match(
      await problemsOf(cwd),
      new RegExp(`contracts\\.asyncapi: cannot read the AsyncAPI document ${join(cwd, 'nope.yaml')}`),
    );
    const url = project({ contracts: { openapi: { crm: 'https://crm.example/openapi.json' } } });
    assert.match(await problemsOf(url), /contracts\.openapi\.crm: expected a file .*URLs are not read yet/);
  });

  it('an OpenAPI document that breaks the specification, or is Swagger 2', async () => {
    const crm = JSON.parse(readFileSync(crmOpenApi, 'utf8')) as {
      paths: Record<string, Record<string, { parameters: Array<{ in: string }> }>>;
    };
    const parameter = crm.paths['/v2/orders/{id}']?.get?.parameters[0];
    assert.ok(parameter);
    parameter.in = 'pth';
    const cwd = project(
      { contracts: { openapi: { crm: 'crm.json', mes: mesOpenApi } } },
      { 'crm.json': JSON.stringify(crm) },
    );
    assert.match(
      await problemsOf(cwd),
      /contracts\.openapi\.crm: .*crm\.json is not a valid OpenAPI document: #\/paths\/~1v2~1orders~1\{id\}\/get\/parameters\/0\/in must be equal to one of the allowed values/,
    );
    const swagger = project(
      { contracts: { openapi: { crm: 'crm.json', mes: mesOpenApi } } },
      {
        'crm.json': JSON.stringify({ swagger: '2.0', info: { title: 'x', version: '1' }, paths: {} }),
      },
    );
    assert.match(await problemsOf(swagger), /crm\.json is Swagger 2\.0; expected an OpenAPI 3 document/);
  });

  it('an OpenAPI document for a component the configuration does not have', async () => {
    const cwd = project({ contracts: { openapi: { billing: crmOpenApi } } });
    assert.match(
      await problemsOf(cwd),
      /contracts\.openapi\.billing: no component "billing" in the configuration; it has: rabbitmq, postgres, postgres-replica, crm, mes, pricing/,
    );
  });
});

describe('a journey that does not fit the contracts', () => {
  const problemsWith = (change: (journey: typeof reference.journey) => void) =>
    problemsOf(project(ownPipeline(journeyWith(change))));

  it('an unknown operationId, listing the ones there are', async () => {
    const problems = await problemsWith((j) => {
      (j.create as { operationId: string }).operationId = 'createOrder';
    });
    assert.match(
      problems,
      /journey\.create\.operationId: no operation "createOrder" in the OpenAPI document of crm \(.*crm\/openapi\.json\); it has: placeOrderV1, getOrderV1, placeOrderV2, getOrderV2/,
    );
  });

  it('an unknown AsyncAPI operation or message, listing the ones there are', async () => {
    const problems = await problemsWith((j) => {
      j.hops[0] = { component: 'crm', operation: 'sendOrder' };
      j.hops[2] = { component: 'mes', message: 'pricingAsked' };
    });
    assert.match(
      problems,
      /journey\.hops\.0\.operation: no operation "sendOrder" in the AsyncAPI document .*asyncapi\.yaml; it has: publishOrderCreated, receiveOrderCreated, /,
    );
    assert.match(
      problems,
      /journey\.hops\.2\.message: no message "pricingAsked" in the AsyncAPI document .*; it has: orderCreated, pricingRequested, pricingCompleted, pricingFailed, deadLetter/,
    );
  });

  it('a component the configuration does not have, or one without an OpenAPI document', async () => {
    const problems = await problemsWith((j) => {
      (j.hops[1] as { component: string }).component = 'erp';
      (j.state as { component: string }).component = 'pricing';
    });
    assert.match(
      problems,
      /journey\.hops\.1\.component: no component "erp" in the configuration; it has: rabbitmq, postgres, crm, mes, pricing/,
    );
    assert.match(
      problems,
      /journey\.state\.component: "pricing" has no OpenAPI document in contracts\.openapi; it has one for: crm, mes/,
    );
  });

  it('a JSON path that does not parse, named by its key', async () => {
    const problems = await problemsWith((j) => {
      (j.create as { id: string }).id = '$.[';
    });
    assert.match(
      problems,
      /journey\.create\.id: not a JSON path: expected a name after "\." at "\.\[", found "\$\.\["/,
    );
  });

  it('a JSON path that can match nothing in the schema it reads', async () => {
    const problems = await problemsWith((j) => {
      j.hops[0] = { component: 'crm', operation: 'publishOrderCreated', id: '$.orderIdd' };
      (j.create as { id: string }).id = '$.orderId';
      (j.state as { total: string }).total = '$.total.cents';
    });
    assert.match(
      problems,
      /journey\.hops\.0\.id: "\$\.orderIdd" can match nothing in the payload of orderCreated \(.*asyncapi\.yaml\): \$ has no property "orderIdd" \(it has: orderId, customerId/,
    );
    assert.match(
      problems,
      /journey\.create\.id: "\$\.orderId" can match nothing in the answer of placeOrderV2 .*: \$ has no property "orderId" \(it has: id, customer/,
    );
    assert.match(
      problems,
      /journey\.state\.total: "\$\.total\.cents" can match nothing in the answer of getOrder/,
    );
  });

  it('a path a oneOf branch may hold is accepted', async () => {
    const cwd = project(
      ownPipeline(
        journeyWith((j) => {
          j.hops[3] = { component: 'pricing', operation: 'publishPricingResult', id: '$.reason' };
        }),
      ),
    );
    const plan = await load(cwd);
    const hop = plan.journey.hops[3];
    assert.ok(hop?.kind === 'bus');
    assert.deepEqual(hop.id, { in: 'payload', path: '$.reason' });
  });

  it('state values missing, unknown to the schema, or listed twice', async () => {
    const missing = await problemsWith((j) => {
      (j.state as { states: Record<string, unknown> }).states = {
        received: ['received'],
        inProgress: [],
        done: [],
      };
    });
    assert.match(missing, /journey\.state\.states\.done: expected at least one state value, found \[\]/);
    assert.match(missing, /journey\.state\.states\.failed: .*found nothing/);
    const wrong = await problemsWith((j) => {
      (j.state as { states: Record<string, string[]> }).states = {
        received: ['received'],
        inProgress: ['pricing', 'priced'],
        done: ['priced'],
        failed: ['failed'],
      };
    });
    assert.match(wrong, /journey\.state\.states\.done: "priced" is also listed under inProgress/);
    assert.match(
      wrong,
      /journey\.state\.states\.failed: "failed" is not a value \$\.status can have in the answer of getOrder .*; it can be: received, pricing, priced, pricing_failed/,
    );
  });

  it('a create body naming what an order lacks, a version id that matches nothing, a list without the customer', async () => {
    const problems = await problemsWith((j) => {
      const create = j.create as { body: unknown; versions: Record<string, { id?: string }> };
      create.body = {
        customer: '{order.customer}',
        lines: [{ '{each}': 'order.lines', sku: '{line.name}' }],
      };
      (create.versions.v1 as { id: string }).id = '$.id';
      (j as { list?: unknown }).list = {
        component: 'mes',
        operationId: 'listOrders',
        customer: 'buyer',
        items: '$.jobs',
        id: '$.id',
      };
    });
    assert.match(
      problems,
      /journey\.create\.body\.customer: "\{order\.customer\}" names nothing an order has; it may name \{order\.customerId\}/,
    );
    assert.match(
      problems,
      /journey\.create\.body\.lines\.0\.sku: "\{line\.name\}" names nothing an order has; .*\{line\.sku\}/,
    );
    assert.match(
      problems,
      /journey\.create\.versions\.v1\.id: "\$\.id" can match nothing in the answer of placeOrderV1/,
    );
    assert.match(
      problems,
      /journey\.list\.customer: listOrders \(GET \/api\/orders\) has no query parameter "buyer"; it has: .*customer/,
    );
    assert.match(problems, /journey\.list\.items: "\$\.jobs" can match nothing in the answer of listOrders/);
  });

  it('a hop that is neither on the bus nor in the state', async () => {
    const problems = await problemsWith((j) => {
      j.hops[1] = { component: 'mes', operation: 'receiveOrderCreated', at: '$.receivedAt' };
    });
    assert.match(
      problems,
      /journey\.hops\.1: expected exactly one of "operation" or "message" \(a hop on the bus\) or "at"/,
    );
  });
});
