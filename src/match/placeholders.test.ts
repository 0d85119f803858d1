import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  PlaceholderError,
  type PlaceholderScope,
  substituteJson,
  substituteSql,
  substituteText,
} from './placeholders.ts';

let fresh = 0;
const values: Record<string, unknown> = {
  orderId: 'o-1',
  total: 6900,
  quoted: 'say "hi" \\ bye',
  'run.id': 'r1',
};
const scope: PlaceholderScope = {
  lookup: (name) => {
    if (name === 'uuid') return { value: `u${++fresh}` };
    return Object.hasOwn(values, name) ? { value: values[name] } : undefined;
  },
  names: () => ['uuid', ...Object.keys(values)],
};

describe('placeholders', () => {
  it('replaces names in text, a fresh value for each {uuid}', () => {
    assert.equal(substituteText('/api/orders/{orderId}?n={total}', scope), '/api/orders/o-1?n=6900');
    const [a, b] = substituteText('{uuid} {uuid}', scope).split(' ');
    assert.notEqual(a, b);
  });

  it('fails on a name the scope lacks, listing the names it has', () => {
    assert.throws(
      () => substituteText('/orders/{ordreId}', scope),
      (error: unknown) =>
        error instanceof PlaceholderError &&
        /no value named \{ordreId\}; the names this scenario knows: \{uuid\}, \{orderId\}/.test(
          error.message,
        ),
    );
  });

  it('keeps JSON valid whatever the values hold, and types a string that is only a placeholder', () => {
    const body = substituteJson(
      '{"id": "{orderId}", "note": "{quoted}!", "total": "{total}", "{orderId}": 1}',
      scope,
    );
    assert.deepEqual(body, { id: 'o-1', note: 'say "hi" \\ bye!', total: 6900, 'o-1': 1 });
    assert.deepEqual(substituteJson('{"a": {"b": ["{run.id}"]}}', scope), { a: { b: ['r1'] } });
  });

  it('refuses a placeholder outside quotes in JSON, saying where they go', () => {
    assert.throws(() => substituteJson('{"total": {total}}', scope), /placeholders go inside quotes/);
  });

  it('turns placeholders in SQL into bind parameters', () => {
    assert.deepEqual(
      substituteSql("select * from t where id = {orderId} and n > {total} and s = 'x'", scope),
      {
        text: "select * from t where id = $1 and n > $2 and s = 'x'",
        values: ['o-1', 6900],
      },
    );
  });
});
