import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { routingKeyMatches } from './topic-pattern.ts';

describe('routingKeyMatches', () => {
  it('follows the topic exchange rules', () => {
    const cases: Array<[string, string, boolean]> = [
      ['order.created.b2c', 'order.created.b2c', true],
      ['order.created.*', 'order.created.b2c', true],
      ['order.created.*', 'order.created', false],
      ['order.created.*', 'order.created.b2c.x', false],
      ['order.#', 'order', true],
      ['order.#', 'order.created.b2c', true],
      ['#', 'anything.at.all', true],
      ['#.b2c', 'order.created.b2c', true],
      ['*.created.#', 'order.created', true],
      ['pricing.completed', 'pricing.requested', false],
      ['', '', true],
    ];
    for (const [pattern, key, expected] of cases) {
      assert.equal(routingKeyMatches(pattern, key), expected, `${pattern} vs ${key}`);
    }
  });
});
