// The open component model at plan time: any names, kinds, dependsOn and templates that name other
// components; a pipeline of its own gets none of the reference stack's parts.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigurationError } from '../errors.ts';
import { brokerOf, databaseOf, replicaOf, resolveComponents, servicesOf } from './components.ts';
import { defaultImages } from './images.ts';
import type { ConfigFile } from './schema.ts';

const resolveFrom = (config: ConfigFile, profile: 'containers' | 'local' | 'staging' = 'containers') => {
  const configDir = mkdtempSync(join(tmpdir(), 'mes-e2e-components-'));
  const configFile = join(configDir, 'mes-e2e.config.json');
  writeFileSync(configFile, JSON.stringify(config));
  return resolveComponents({ config, configFile, configDir, profile, env: {} });
};

function problemsOf(config: ConfigFile): readonly string[] {
  try {
    resolveFrom(config);
  } catch (error) {
    assert.ok(error instanceof ConfigurationError, String(error));
    return error.problems;
  }
  assert.fail('expected the components to be refused');
}

/** A journey stands for "a pipeline of its own" here; its content is checked elsewhere. */
const ownJourney = {
  create: { component: 'shop', operationId: 'place', id: '$.no' },
  hops: [],
  state: {
    component: 'plant',
    operationId: 'get',
    id: '$.no',
    state: '$.phase',
    states: { received: [], inProgress: [], done: ['done'], failed: ['rejected'] },
  },
};

const teamPipeline: ConfigFile = {
  journey: ownJourney,
  components: {
    bus: { source: 'container', kind: 'rabbitmq' },
    shop: {
      source: 'process',
      command: ['node', 'shop.mjs'],
      env: { SHOP_BROKER: '{bus.amqpUrl}', SHOP_PORT: '{port}', PLANT: '{plant.url}' },
      dependsOn: ['plant'],
    },
    plant: {
      source: 'container',
      image: 'acme/plant:7',
      port: 9000,
      ready: { http: '/status' },
      env: { PLANT_AMQP: '{bus.amqpUrl}', PLANT_VHOST: '{bus.vhost}' },
    },
  },
};

describe('components by any name', () => {
  it('a pipeline of its own has exactly its components, of the kinds given, with their waits', () => {
    const components = resolveFrom(teamPipeline);
    assert.deepEqual(Object.keys(components), ['bus', 'shop', 'plant'], 'no reference component added');
    const bus = brokerOf(components);
    assert.deepEqual(
      [bus.name, bus.kind, bus.source === 'container' && bus.image],
      ['bus', 'rabbitmq', defaultImages.rabbitmq],
      'a broker container without an image runs the pinned RabbitMQ image',
    );
    assert.equal(databaseOf(components), undefined, 'a pipeline may have no database');
    assert.deepEqual(
      servicesOf(components).map((service) => [service.name, service.kind, service.dependsOn]),
      [
        ['shop', 'service', ['plant']],
        ['plant', 'service', []],
      ],
    );
  });

  it('the reference stack stays the default, and a configuration adds components beside it', () => {
    const components = resolveFrom({
      components: {
        'fake-erp': { source: 'container', image: 'acme/erp:1', port: 8080, ready: { tcp: true } },
      },
    });
    assert.deepEqual(Object.keys(components), [
      'rabbitmq',
      'postgres',
      'postgres-replica',
      'crm',
      'mes',
      'pricing',
      'fake-erp',
    ]);
    assert.equal(brokerOf(components).name, 'rabbitmq');
    assert.equal(databaseOf(components)?.name, 'postgres');
  });

  it('a container built from a Dockerfile of the team, relative to the configuration file', () => {
    const components = resolveFrom({
      journey: ownJourney,
      components: {
        bus: { source: 'url', kind: 'rabbitmq', url: 'amqp://bus.internal' },
        shop: {
          source: 'container',
          build: { context: 'shop', dockerfile: 'Dockerfile' },
          port: 80,
          ready: { tcp: true },
        },
      },
    });
    const shop = components.shop;
    assert.ok(shop?.source === 'container');
    assert.equal(shop.image, 'mes-e2e/shop:local');
    assert.match(shop.build?.context ?? '', /mes-e2e-components-[^/]+\/shop$/);
  });

  it('no broker, two brokers, two databases, or a broker as a process: each named', () => {
    assert.deepEqual(
      problemsOf({ journey: ownJourney, components: { shop: { source: 'url', url: 'http://shop' } } }),
      ['components: no message broker; give one component "kind": "rabbitmq" (a container, or a url)'],
    );
    assert.deepEqual(
      problemsOf({
        journey: ownJourney,
        components: {
          bus: { source: 'container', kind: 'rabbitmq' },
          'bus-two': { source: 'container', kind: 'rabbitmq' },
          db: { source: 'container', kind: 'postgres' },
          postgres: { source: 'container' },
        },
      }),
      [
        'components: bus, bus-two are all of kind rabbitmq; a run has one broker',
        'components: db, postgres are all of kind postgres; a run has at most one database',
      ],
    );
    assert.deepEqual(
      problemsOf({
        journey: ownJourney,
        components: { bus: { source: 'process', kind: 'rabbitmq', command: ['rabbitmq-server'] } },
      }),
      ['components.bus: a rabbitmq runs as a container or is given by url, not as a process'],
    );
  });

  it('a service container without its port or readiness check', () => {
    assert.deepEqual(
      problemsOf({
        journey: ownJourney,
        components: {
          bus: { source: 'container', kind: 'rabbitmq' },
          shop: { source: 'container', image: 'acme/shop:1', ready: { tcp: true } },
        },
      }),
      [
        'components.shop: a service container needs its "port" (where it serves inside the container) and its "ready" check ({ "http": "/health" }, { "tcp": true }, { "log": "..." } or { "command": "..." })',
      ],
    );
  });

  it('a dependsOn that names nothing, or components that wait for each other in a circle', () => {
    const problems = problemsOf({
      ...teamPipeline,
      components: {
        ...teamPipeline.components,
        shop: { source: 'url', url: 'http://shop', dependsOn: ['plant', 'erp'] },
        plant: { source: 'url', url: 'http://plant', dependsOn: ['shop'] },
      },
    });
    assert.deepEqual(problems, [
      'components.shop.dependsOn.1: no component "erp"; there are: bus, shop, plant',
      'components: shop -> plant -> shop wait for each other in a circle (dependsOn)',
    ]);
  });

  it('a template that names a component the run does not have, or a part its kind does not offer', () => {
    const problems = problemsOf({
      ...teamPipeline,
      components: {
        ...teamPipeline.components,
        shop: {
          source: 'process',
          command: ['node', 'shop.mjs'],
          env: { A: '{rabbitmq.amqpUrl}', B: '{bus.url}', C: '{plant.url}' },
        },
      },
    });
    assert.equal(problems.length, 2);
    assert.match(
      problems[0] ?? '',
      /^components\.shop\.env\.A: "\{rabbitmq\.amqpUrl\}" names nothing the run knows; it may name \{bus\.amqpUrl\}, /,
    );
    assert.match(problems[1] ?? '', /^components\.shop\.env\.B: "\{bus\.url\}" names nothing/);
  });
});

describe("the database's read replica", () => {
  it('the containers profile streams its database to a replica container that MES reads from', () => {
    const components = resolveFrom({});
    const replica = replicaOf(components);
    assert.deepEqual(
      [replica?.name, replica?.kind, replica?.source === 'container' && replica.image],
      ['postgres-replica', 'postgres-replica', defaultImages.postgres],
      'the same PostgreSQL image as its primary',
    );
    const mes = components.mes;
    assert.equal(mes?.source === 'container' && mes.env.DATABASE_READ_URL, '{postgres.replicaUrl}');
    const crm = components.crm;
    assert.equal(
      crm?.source === 'container' && crm.env.DATABASE_READ_URL,
      undefined,
      'only MES reads from it',
    );
  });

  it('the local and staging profiles have none: MES reads from the database given by URL', () => {
    const local = resolveFrom({}, 'local');
    assert.equal(replicaOf(local), undefined);
    const mes = local.mes;
    assert.equal(
      mes?.source === 'process' && mes.env.DATABASE_READ_URL,
      '{postgres.replicaUrl}',
      'left unset at start',
    );
    const given = Object.fromEntries(
      ['rabbitmq', 'postgres', 'crm', 'mes', 'pricing'].map((name) => [
        name,
        { source: 'url' as const, url: name === 'postgres' ? 'postgres://db/x' : `http://${name}` },
      ]),
    );
    assert.equal(replicaOf(resolveFrom({ components: given }, 'staging')), undefined);
  });

  it("a replica given by URL on the local profile is the database's replica, by its name", () => {
    const components = resolveFrom(
      {
        components: {
          'postgres-replica': { source: 'url', url: 'postgres://me:pw@127.0.0.1:5433/postgres' },
        },
      },
      'local',
    );
    assert.deepEqual(
      [replicaOf(components)?.kind, replicaOf(components)?.source],
      ['postgres-replica', 'url'],
    );
  });

  it('a database given by URL on the containers profile comes without the default replica', () => {
    const components = resolveFrom({ components: { postgres: { source: 'url', url: 'postgres://db/x' } } });
    assert.equal(replicaOf(components), undefined);
  });

  it('a replica container of a database given by URL, two replicas, a replica without a database or as a process: each named', () => {
    assert.deepEqual(
      problemsOf({
        components: {
          postgres: { source: 'url', url: 'postgres://db/x' },
          'postgres-replica': { source: 'container' },
        },
      }),
      [
        'components.postgres-replica: a replica container streams from the run\'s own database container, but postgres is given as a url; give postgres-replica as { "source": "url", "url": "..." } (a hot standby of postgres) or run postgres as a container',
      ],
    );
    assert.deepEqual(
      problemsOf({ components: { standby: { source: 'container', kind: 'postgres-replica' } } }),
      [
        "components: postgres-replica, standby are all of kind postgres-replica; a run's database has at most one read replica",
      ],
    );
    assert.deepEqual(
      problemsOf({
        journey: ownJourney,
        components: {
          bus: { source: 'container', kind: 'rabbitmq' },
          'postgres-replica': { source: 'container' },
        },
      }),
      [
        "components.postgres-replica: a read replica needs the run's database (a component of kind postgres) to stream from; there is none",
      ],
    );
    assert.deepEqual(
      problemsOf({ components: { 'postgres-replica': { source: 'process', command: ['postgres'] } } }),
      [
        'components.postgres-replica: a postgres-replica runs as a container or is given by url, not as a process',
      ],
    );
  });
});
