// Reads the team's quarantine file (YAML): the scenarios and tags that may fail without blocking, each
// with an owner, a reason and a last day. Every problem names the file and the line it is on.
import { existsSync, readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap } from 'yaml';
import { z } from 'zod';
import { ConfigurationError } from '../errors.ts';
import type { QuarantineEntry } from '../gate/policy.ts';
import { describeValue } from './issues.ts';

const KEYS = ['scenario', 'tag', 'owner', 'reason', 'link', 'expires'] as const;

const HINT =
  'Each entry is a list item ("- ") with "scenario" (a scenario name) or "tag" (quoted, e.g. "@payments-flaky"), ' +
  '"owner", "reason" and "expires" (YYYY-MM-DD, the last day it holds); "link" is optional. Fix the file and run again.';

/** What each required key is for, said when it is missing. */
const MISSING: Readonly<Record<string, string>> = {
  owner: 'who will fix it, e.g. owner: "@alice"',
  reason: 'why it may fail for now, e.g. reason: pricing times out on shared runners',
  expires: 'the last day it holds, e.g. expires: 2026-12-31',
};

/** A real day of the calendar, not only its shape: 2026-02-30 is refused. */
function isCalendarDay(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

const Text = z.string({ error: 'expected text' }).trim().min(1, 'expected text, found an empty value');

const Entry = z
  .strictObject({
    scenario: Text.optional(),
    tag: z
      .string({ error: 'expected a tag' })
      .regex(/^@\S+$/, 'expected a tag such as "@payments-flaky"')
      .optional(),
    owner: Text,
    reason: Text,
    link: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
    expires: z
      .string({ error: 'expected a date YYYY-MM-DD' })
      .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a date YYYY-MM-DD', abort: true })
      .refine(isCalendarDay, 'not a day of the calendar'),
  })
  .refine((entry) => (entry.scenario === undefined) !== (entry.tag === undefined), {
    error: 'expected exactly one of "scenario" (a scenario name) or "tag" (e.g. "@payments-flaky")',
  });

/**
 * The entries of the file; a file that does not exist quarantines nothing, unless `named` (the policy
 * named it, so its absence is a mistake).
 */
export function readQuarantineFile(file: string, named: boolean): QuarantineEntry[] {
  if (!existsSync(file)) {
    if (!named) return [];
    throw new ConfigurationError(
      file,
      ['policy.quarantine.file names this file, and it does not exist'],
      'Create it, or fix the path (relative to the file that names it).',
    );
  }
  return parseQuarantine(readFileSync(file, 'utf8'), file);
}

/** `file` names the input in errors. */
export function parseQuarantine(text: string, file: string): QuarantineEntry[] {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number | undefined) =>
    `${file}:${offset === undefined ? 1 : lineCounter.linePos(offset).line}`;
  if (document.errors.length > 0)
    throw new ConfigurationError(
      file,
      document.errors.map((error) => `${at(error.pos[0])}: not valid YAML: ${error.message.trim()}`),
      HINT,
    );
  const root = document.contents;
  if (root === null || (isScalar(root) && root.value === null)) return [];
  if (!isSeq(root))
    throw new ConfigurationError(
      file,
      [`${at(root.range?.[0])}: expected a list of entries, each starting with "- "`],
      HINT,
    );
  const problems: string[] = [];
  const entries = root.items.flatMap((item, index) => {
    const line = lineCounter.linePos((item as Node | null)?.range?.[0] ?? 0).line;
    const where = (offset: number | undefined) =>
      `${at(offset ?? (item as Node | null)?.range?.[0])} (entry ${index + 1})`;
    if (!isMap(item)) {
      problems.push(`${where(undefined)}: expected an entry with scenario or tag, owner, reason and expires`);
      return [];
    }
    const raw: unknown = item.toJSON();
    const parsed = Entry.safeParse(raw);
    if (parsed.success) return [{ ...parsed.data, line } as QuarantineEntry];
    for (const issue of parsed.error.issues) problems.push(...describe(issue, item, raw, where));
    return [];
  });
  if (problems.length > 0) throw new ConfigurationError(file, problems, HINT);
  return entries;
}

/** One line per problem, on the line of the key it is about (the entry's own line for a missing key). */
function describe(
  issue: z.core.$ZodIssue,
  item: YAMLMap,
  raw: unknown,
  where: (offset: number | undefined) => string,
): string[] {
  const keyOffset = (key: string) =>
    item.items.find((pair) => isScalar(pair.key) && pair.key.value === key)?.key as Node | undefined;
  if (issue.code === 'unrecognized_keys')
    return issue.keys.map(
      (key) => `${where(keyOffset(key)?.range?.[0])}: unknown key "${key}"; the keys are ${KEYS.join(', ')}`,
    );
  const key = issue.path[0];
  if (typeof key !== 'string') return [`${where(undefined)}: ${issue.message}`];
  const value = (raw as Record<string, unknown>)[key];
  if (value === undefined)
    return [`${where(undefined)}: "${key}" is missing: ${MISSING[key] ?? issue.message}`];
  return [`${where(keyOffset(key)?.range?.[0])}: ${key}: ${issue.message}, found ${describeValue(value)}`];
}
