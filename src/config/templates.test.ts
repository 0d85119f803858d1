import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fillTemplates, namesIn, templateNamesOf, unknownNames } from './templates.ts';

describe('environment templates', () => {
  it('fills in every name the run knows, and leaves other text alone', () => {
    const filled = fillTemplates(
      { AMQP: '{rabbitmq.amqpUrl}', DB: 'db={postgres.url};port={port}', JSON: '{"a":1}', PLAIN: 'x' },
      { 'rabbitmq.amqpUrl': 'amqp://h/run', 'postgres.url': 'postgres://h/run', port: '8080' },
    );
    assert.deepEqual(filled, {
      AMQP: 'amqp://h/run',
      DB: 'db=postgres://h/run;port=8080',
      JSON: '{"a":1}',
      PLAIN: 'x',
    });
  });

  it('leaves out a variable whose value the run does not have', () => {
    assert.deepEqual(
      fillTemplates({ MGMT: '{rabbitmq.managementUrl}', RUN: '{run.id}' }, { 'run.id': 'r1' }),
      {
        RUN: 'r1',
      },
    );
  });

  it('offers each component by its own name, as its kind allows', () => {
    const known = templateNamesOf([
      { name: 'bus', kind: 'rabbitmq' },
      { name: 'order-api', kind: 'service' },
    ]);
    assert.deepEqual(Object.keys(known), [
      'bus.amqpUrl',
      'bus.managementUrl',
      'bus.vhost',
      'order-api.url',
      'run.id',
      'port',
    ]);
    assert.deepEqual(
      unknownNames({ A: '{bus.amqpUrl}', B: 'http:{order-api.url}/x', C: '{port}' }, 'k', known),
      [],
    );
  });

  it('names the key, the unknown name and the names that exist', () => {
    const known = templateNamesOf([
      { name: 'rabbitmq', kind: 'rabbitmq' },
      { name: 'postgres', kind: 'postgres' },
    ]);
    const [problem, ...rest] = unknownNames(
      { AMQP_URL: '{rabitmq.amqpUrl}', OK: '{port}', DB: '{postgres.amqpUrl}' },
      'components.mes.env',
      known,
    );
    assert.equal(rest.length, 1, 'a name of a known component that its kind does not offer');
    assert.match(
      problem ?? '',
      /^components\.mes\.env\.AMQP_URL: "\{rabitmq\.amqpUrl\}" names nothing the run knows/,
    );
    assert.match(problem ?? '', /\{rabbitmq\.amqpUrl\}, .*\{postgres\.url\}, .*\{port\}/);
    assert.deepEqual(namesIn('{a}-{b.c}'), ['a', 'b.c']);
  });
});
