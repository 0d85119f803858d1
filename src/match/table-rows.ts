// The rows a query returned against the rows a scenario's table expects: cells compare as text
// (NULL is "null", a time its ISO text, JSON its text), or as a matcher ("#uuid", "#regex ...").
import { describeValue, type Mismatch, matchJson } from './json-match.ts';

/** A database value as JSON would carry it: times as ISO text, everything else as it came. */
const asJson = (value: unknown): unknown => (value instanceof Date ? value.toISOString() : value);

export function cellText(value: unknown): string {
  const json = asJson(value);
  if (json === null || json === undefined) return 'null';
  return typeof json === 'object' ? JSON.stringify(json) : String(json);
}

function matchCell(value: unknown, cell: string, path: string): Mismatch[] {
  if (cell.startsWith('#') && !cell.startsWith('##')) return matchJson(asJson(value), cell, { path });
  const expected = cell.startsWith('##') ? cell.slice(1) : cell;
  const actual = cellText(value);
  return actual === expected
    ? []
    : [{ path, expected: JSON.stringify(expected), actual: JSON.stringify(actual) }];
}

/**
 * `table` is the scenario's table, its first row the column names: the query must return as many
 * rows, in the same order; columns the table does not name are not compared.
 */
export function matchRows(
  result: { columns: readonly string[]; rows: ReadonlyArray<Record<string, unknown>> },
  table: readonly (readonly string[])[],
): Mismatch[] {
  const [names = [], ...expectedRows] = table;
  const unknown = names.filter((name) => !result.columns.includes(name));
  if (unknown.length > 0) {
    return [
      {
        path: 'columns',
        expected: unknown.map((name) => `"${name}"`).join(', '),
        actual: `the query's columns: ${result.columns.join(', ')}`,
      },
    ];
  }
  if (result.rows.length !== expectedRows.length) {
    return [
      {
        path: 'rows',
        expected: `${expectedRows.length} row(s)`,
        actual: `${result.rows.length}: ${describeValue(result.rows.slice(0, 5).map((row) => Object.fromEntries(names.map((name) => [name, asJson(row[name])]))))}`,
      },
    ];
  }
  return expectedRows.flatMap((cells, index) =>
    names.flatMap((name, column) =>
      matchCell(result.rows[index]?.[name], cells[column] ?? '', `row ${index + 1}, column "${name}"`),
    ),
  );
}
