import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha256Of } from './fingerprint.ts';

test('the hash ignores key order and undefined values, and keeps Infinity apart from null', () => {
  assert.equal(sha256Of({ a: 1, b: { c: [1, 2], d: undefined } }), sha256Of({ b: { c: [1, 2] }, a: 1 }));
  assert.notEqual(sha256Of({ maxFlaky: Number.POSITIVE_INFINITY }), sha256Of({ maxFlaky: null }));
  assert.notEqual(sha256Of({ tags: '@smoke' }), sha256Of({ tags: '@smoke and not @ui' }));
  assert.notEqual(sha256Of([1, 2]), sha256Of([2, 1]));
});
