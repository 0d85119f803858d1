// Turns schema issues into lines a person reads: the key, what was expected, what was found.
import type { z } from 'zod';

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** One line per problem: key path, what was expected, what was found. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  return issues.map((issue) => {
    const path = issue.path.map(String).join('.') || '(top level)';
    if (issue.code === 'unrecognized_keys') {
      return `${path}: unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    // A record's key (a component's name): what the key should be, and the key itself.
    if (issue.code === 'invalid_key') {
      const why = issue.issues.map((inner) => inner.message).join('; ');
      return `${path}: ${why}, found the name ${describeValue(issue.path.at(-1))}`;
    }
    // zod's own "Invalid input:" prefix and "received <type>" say less than the value we show.
    const expected = issue.message.replace(/^Invalid (input|option): /, '').replace(/, received \w+$/, '');
    return `${path}: ${expected}, found ${describeValue(valueAt(input, issue.path))}`;
  });
}
