// Reads a value out of a JSON document by JSON path ($.lines[0].sku, $..sku), through jsonpath-plus:
// a path that names one place gives its value, a path that selects (wildcard, filter, slice) a list.
import { JSONPath } from 'jsonpath-plus';

export type PathLookup = { found: true; value: unknown } | { found: false };

export class JsonPathError extends Error {
  readonly code = 'JSON_PATH';
  constructor(path: string, problem: string) {
    super(`JSON path ${JSON.stringify(path)}: ${problem}`);
    this.name = 'JsonPathError';
  }
}

/** Wildcards, recursive descent, filters, unions and slices select many places; quoted names do not count. */
export function selectsMany(path: string): boolean {
  const unquoted = path.replace(/'[^']*'|"[^"]*"/g, "''");
  return /\*|\.\.|\?\(|,|:|\[\s*\(/.test(unquoted);
}

/** The value at the path, or undefined when there is none or the path does not apply to the document. */
export function valueAtOrUndefined(document: unknown, path: string): unknown {
  try {
    const found = valueAt(document, path);
    return found.found ? found.value : undefined;
  } catch (error) {
    if (error instanceof JsonPathError) return undefined;
    throw error;
  }
}

export function valueAt(document: unknown, path: string): PathLookup {
  if (!path.startsWith('$'))
    throw new JsonPathError(path, 'a JSON path starts at the root, "$" (e.g. "$.id")');
  if (document === null || document === undefined) {
    return path === '$' ? { found: true, value: document ?? null } : { found: false };
  }
  let values: unknown[];
  try {
    // eval 'safe' (the default of jsonpath-plus 10+): filters run in its own interpreter, never in Node's.
    values = (JSONPath({ path, json: document as object, wrap: true, eval: 'safe' }) ?? []) as unknown[];
  } catch (error) {
    throw new JsonPathError(path, (error as Error).message);
  }
  if (selectsMany(path)) return { found: true, value: values };
  return values.length === 0 ? { found: false } : { found: true, value: values[0] };
}
