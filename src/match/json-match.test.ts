import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containsJson, describeMismatches, expectedValue, MatcherError, matchJson } from './json-match.ts';

const order = {
  id: '7f1c1f5e-3c1a-4b7e-9d1e-2f6a8b9c0d1e',
  status: 'priced',
  totalCents: 6900,
  failureReason: null,
  paid: false,
  lines: [{ sku: 'LAMP', quantity: 1 }],
  customer: { id: 'c-1', segment: 'b2c' },
};

describe('matchJson', () => {
  it('passes on every matcher that fits', () => {
    const mismatches = matchJson(order, {
      id: '#uuid',
      status: '#string',
      totalCents: '#number',
      failureReason: '#null',
      paid: '#boolean',
      lines: '#array',
      customer: '#object',
      createdAt: '#notpresent',
      anything: '#ignore',
      sku: '#ignore',
    });
    assert.deepEqual(mismatches, []);
    assert.deepEqual(matchJson(order, { failureReason: '#present', status: '#regex pri.ed' }), []);
  });

  it('names the path, what was expected and what came', () => {
    const mismatches = matchJson(order, {
      status: 'pricing',
      totalCents: '#string',
      lines: [{ sku: 'DESK' }],
      customer: { segment: '#regex b2b' },
      createdAt: '#present',
    });
    assert.deepEqual(mismatches, [
      { path: '$.status', expected: '"pricing"', actual: '"priced"' },
      { path: '$.totalCents', expected: '#string', actual: '6900' },
      { path: '$.lines[0].sku', expected: '"DESK"', actual: '"LAMP"' },
      { path: '$.customer.segment', expected: '#regex b2b', actual: '"b2c"' },
      { path: '$.createdAt', expected: '#present', actual: 'nothing (not present)' },
    ]);
    assert.equal(
      describeMismatches(mismatches, 2),
      'at $.status: expected "pricing", got "priced"\nat $.totalCents: expected #string, got 6900\n... and 3 more',
    );
  });

  it('lets objects have other keys unless exact', () => {
    assert.deepEqual(matchJson(order.customer, { id: 'c-1' }), []);
    assert.deepEqual(matchJson(order.customer, { id: 'c-1' }, { exact: true }), [
      { path: '$.segment', expected: 'nothing (an exact match allows no other key)', actual: '"b2c"' },
    ]);
  });

  it('matches arrays element by element, with their length', () => {
    assert.deepEqual(matchJson([1, 2], [1, '#number']), []);
    assert.match(matchJson([1, 2, 3], [1, 2])[0]?.expected ?? '', /an array of 2/);
  });

  it('tells null from absent, and a regex must match the whole text', () => {
    assert.equal(matchJson({ a: null }, { a: '#notpresent' }).length, 1);
    assert.equal(matchJson({}, { a: '#null' }).length, 1);
    assert.equal(matchJson('priced', '#regex price').length, 1);
    assert.deepEqual(matchJson(undefined, '#notpresent', { present: false }), []);
  });

  it('reads "##" as a literal text starting with "#"', () => {
    assert.deepEqual(matchJson({ tag: '#1' }, { tag: '##1' }), []);
  });

  it('refuses a matcher it does not know, naming the known ones', () => {
    assert.throws(
      () => matchJson('x', '#uuidd'),
      (error: unknown) => {
        assert.ok(error instanceof MatcherError);
        assert.match(error.message, /"#uuidd" at \$; known: #uuid, #number/);
        return true;
      },
    );
    assert.throws(() => matchJson('x', '#regex ('), MatcherError);
  });
});

describe('containsJson', () => {
  it('finds an element, several elements, or a text inside a text', () => {
    assert.deepEqual(containsJson(order.lines, { sku: 'LAMP' }), []);
    assert.deepEqual(containsJson(['a', 'b', 'c'], ['c', 'a']), []);
    assert.deepEqual(containsJson('order accepted', 'accepted'), []);
  });

  it('says what was missing', () => {
    assert.deepEqual(containsJson(['a'], ['a', 'z'], { path: '$.tags' }), [
      { path: '$.tags', expected: 'an element matching "z"', actual: '["a"]' },
    ]);
    assert.equal(containsJson(42, 'a').length, 1);
  });
});

describe('expectedValue', () => {
  it('reads matchers, JSON and plain text', () => {
    assert.equal(expectedValue('#uuid'), '#uuid');
    assert.equal(expectedValue('42'), 42);
    assert.equal(expectedValue('"42"'), '42');
    assert.equal(expectedValue('null'), null);
    assert.deepEqual(expectedValue('[1]'), [1]);
    assert.equal(expectedValue('priced'), 'priced');
  });
});
