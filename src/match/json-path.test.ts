import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JsonPathError, selectsMany, valueAt } from './json-path.ts';

const order = {
  id: 'a1',
  total: null,
  lines: [
    { sku: 'LAMP', quantity: 1 },
    { sku: 'DESK', quantity: 2 },
  ],
};

describe('valueAt', () => {
  it('gives the value a definite path names, null included', () => {
    assert.deepEqual(valueAt(order, '$.lines[1].sku'), { found: true, value: 'DESK' });
    assert.deepEqual(valueAt(order, '$.total'), { found: true, value: null });
    assert.deepEqual(valueAt(order, '$'), { found: true, value: order });
    assert.deepEqual(valueAt({ 'odd key': 3 }, '$["odd key"]'), { found: true, value: 3 });
  });

  it('says when nothing is at the path', () => {
    assert.deepEqual(valueAt(order, '$.customer'), { found: false });
    assert.deepEqual(valueAt(order, '$.lines[5].sku'), { found: false });
    assert.deepEqual(valueAt(null, '$.id'), { found: false });
    assert.deepEqual(valueAt('text', '$.id'), { found: false });
  });

  it('gives a list for a path that selects', () => {
    assert.deepEqual(valueAt(order, '$.lines[*].sku'), { found: true, value: ['LAMP', 'DESK'] });
    assert.deepEqual(valueAt(order, '$..quantity'), { found: true, value: [1, 2] });
    assert.deepEqual(valueAt(order, '$.lines[?(@.quantity > 1)].sku'), { found: true, value: ['DESK'] });
    assert.deepEqual(valueAt(order, '$.nothing[*]'), { found: true, value: [] });
  });

  it('refuses a path that does not start at the root', () => {
    assert.throws(() => valueAt(order, 'lines'), JsonPathError);
  });

  it('tells definite paths from selecting ones', () => {
    assert.equal(selectsMany('$["a:b"].c'), false);
    assert.equal(selectsMany('$.a[0:2]'), true);
    assert.equal(selectsMany('$.a[0,1]'), true);
  });
});
