import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JSONPath } from 'jsonpath-plus';
import { jsonPathOfPointer, parseJsonPath, valuesAt, whyNoMatch } from './json-path.ts';

const segments = (path: string) => {
  const parsed = parseJsonPath(path);
  assert.ok('segments' in parsed, `${path}: ${'problem' in parsed ? parsed.problem : ''}`);
  return parsed.segments;
};

describe('parseJsonPath', () => {
  it('takes names, quoted names and indexes, and finds what jsonpath-plus finds', () => {
    const json = { id: 'o1', customer: { 'the id': 'c1' }, lines: [{ sku: 'LAMP' }] };
    for (const [path, expected] of [
      ['$.id', ['id']],
      ["$.customer['the id']", ['customer', 'the id']],
      ['$["customer"]["the id"]', ['customer', 'the id']],
      ['$.lines[0].sku', ['lines', 0, 'sku']],
      ['$', []],
    ] as const) {
      const parsed = segments(path);
      assert.deepEqual(parsed, expected);
      const found = JSONPath({ path, json, wrap: true }) as unknown[];
      const walked = parsed.reduce<unknown>((value, key) => (value as Record<string, unknown>)[key], json);
      assert.deepEqual(found, [walked], path);
    }
  });

  it('refuses what is not one value or not a path, saying why', () => {
    for (const [path, why] of [
      ['id', /starts with \$/],
      ['$.[', /expected a name after "\."/],
      ['$..id', /descendant/],
      ['$.*', /wildcards/],
      ['$.lines[-1]', /negative indexes/],
      ['$.lines[?(@.sku)]', /filters/],
      ['$a', /unexpected "a"/],
      ["$['open", /expected \['name'\]/],
    ] as const) {
      const parsed = parseJsonPath(path);
      assert.ok('problem' in parsed, path);
      assert.match(parsed.problem, why, path);
    }
  });

  it('turns an AsyncAPI location pointer into a path', () => {
    assert.equal(jsonPathOfPointer('/orderId'), '$.orderId');
    assert.equal(jsonPathOfPointer('/lines/0/sku'), '$.lines[0].sku');
    assert.equal(jsonPathOfPointer('/a~1b/c d'), "$['a/b']['c d']");
  });
});

const order = {
  type: 'object',
  required: ['orderId'],
  properties: {
    orderId: { type: 'string' },
    lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } } } },
    meta: { type: 'object', additionalProperties: true, properties: { a: { type: 'string' } } },
    free: { type: 'object' },
    status: { type: 'string', enum: ['received', 'priced'] },
  },
};

describe('whyNoMatch', () => {
  it('finds nothing wrong with paths the schema has', () => {
    for (const path of ['$.orderId', '$.lines[3].sku', '$.meta.anything', '$.free.x.y', '$.status'])
      assert.equal(whyNoMatch(order, segments(path)), undefined, path);
  });

  it('says why a misspelt property, a property of a string or an index of an object cannot match', () => {
    assert.match(
      whyNoMatch(order, segments('$.orderIdd')) ?? '',
      /\$ has no property "orderIdd" \(it has: orderId, lines/,
    );
    assert.match(whyNoMatch(order, segments('$.orderId.x')) ?? '', /\$\.orderId is string, not an object/);
    assert.match(whyNoMatch(order, segments('$.meta[0]')) ?? '', /\$\.meta is object, not an array/);
    assert.match(
      whyNoMatch(order, segments('$.lines[0].skuu')) ?? '',
      /\$\.lines\[0\] has no property "skuu"/,
    );
  });

  it('is conservative with oneOf and patternProperties: one branch that may match is enough', () => {
    const result = {
      oneOf: [
        { type: 'object', properties: { total: { type: 'integer' } } },
        { type: 'object', properties: { reason: { type: 'string' } } },
      ],
    };
    assert.equal(whyNoMatch(result, segments('$.reason')), undefined);
    assert.match(
      whyNoMatch(result, segments('$.price')) ?? '',
      /no property "price".*; and .*no property "price"/,
    );
    const patterned = { type: 'object', properties: {}, patternProperties: { '^x-': { type: 'string' } } };
    assert.equal(whyNoMatch(patterned, segments("$['x-id']")), undefined);
    assert.ok(whyNoMatch(patterned, segments('$.id')));
    assert.ok(whyNoMatch({ allOf: [order, { type: 'object' }] }, segments('$.nope')));
    assert.equal(whyNoMatch(true, segments('$.anything')), undefined);
  });

  it('reads the values a state may have from an enum or consts', () => {
    assert.deepEqual(valuesAt(order, segments('$.status')), ['received', 'priced']);
    assert.deepEqual(valuesAt({ oneOf: [{ const: 'a' }, { const: 'b' }] }, []), ['a', 'b']);
    assert.equal(valuesAt(order, segments('$.orderId')), undefined);
  });
});
