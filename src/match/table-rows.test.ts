import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cellText, matchRows } from './table-rows.ts';

const result = {
  columns: ['id', 'status', 'total_cents', 'priced_at', 'lines', 'failure_reason'],
  rows: [
    {
      id: '7f1c1f5e-3c1a-4b7e-9d1e-2f6a8b9c0d1e',
      status: 'priced',
      total_cents: '6900',
      priced_at: new Date('2026-01-02T03:04:05.000Z'),
      lines: [{ sku: 'LAMP' }],
      failure_reason: null,
    },
  ],
};

describe('matchRows', () => {
  it('compares cells as text or by matcher, only the columns the table names', () => {
    assert.deepEqual(
      matchRows(result, [
        ['id', 'status', 'total_cents', 'priced_at', 'lines', 'failure_reason'],
        ['#uuid', 'priced', '6900', '2026-01-02T03:04:05.000Z', '[{"sku":"LAMP"}]', 'null'],
      ]),
      [],
    );
    assert.deepEqual(
      matchRows(result, [
        ['failure_reason', 'priced_at'],
        ['#null', '#string'],
      ]),
      [],
    );
  });

  it('names the row and column that differ', () => {
    assert.deepEqual(
      matchRows(result, [
        ['status', 'total_cents'],
        ['pricing', '#number'],
      ]),
      [
        { path: 'row 1, column "status"', expected: '"pricing"', actual: '"priced"' },
        { path: 'row 1, column "total_cents"', expected: '#number', actual: '"6900"' },
      ],
    );
  });

  it('says when the count differs or a column does not exist', () => {
    assert.match(matchRows(result, [['status'], ['priced'], ['priced']])[0]?.expected ?? '', /2 row/);
    assert.deepEqual(matchRows(result, [['state'], ['priced']])[0]?.path, 'columns');
  });

  it('writes values as a table shows them', () => {
    assert.equal(cellText(null), 'null');
    assert.equal(cellText(12), '12');
    assert.equal(cellText({ a: 1 }), '{"a":1}');
  });
});
