// Reads a cucumber messages (NDJSON) file into envelopes, refusing input that no verdict can rest on.
import { readFileSync } from 'node:fs';
import type { Envelope } from '@cucumber/messages';
import { MesE2eError } from '../errors.ts';

const HINT =
  'Give the gate the messages file of a whole run, as written by cucumber\'s "message" formatter ' +
  '(mes-e2e run writes reports/<run-id>/messages.ndjson); rerun the scenarios if it was cut short.';

/** The messages file cannot be read as a cucumber run; a usage error, never a verdict. */
export class GateInputError extends MesE2eError {
  readonly file: string;
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super('usage', `cannot gate on ${file}: ${problem}`, HINT, options);
    this.name = 'GateInputError';
    this.file = file;
  }
}

export function readMessages(file: string): Envelope[] {
  return parseMessages(readText(file), file);
}

/** `source` names the input in errors (a path, or a label in tests). */
export function parseMessages(text: string, source: string): Envelope[] {
  const lines = text.split('\n');
  const last = lastContentLine(lines);
  if (last < 0) throw new GateInputError(source, 'the file is empty: the run wrote no messages');
  const envelopes: Envelope[] = [];
  for (let index = 0; index <= last; index++) {
    const line = (lines[index] ?? '').trim();
    if (line !== '') envelopes.push(parseLine(line, index + 1, index === last, source));
  }
  if (!envelopes.some((envelope) => envelope.meta)) {
    throw new GateInputError(
      source,
      'it has no "meta" message, which every cucumber run writes first: ' +
        'this is not a cucumber messages file, or its beginning is missing',
    );
  }
  return envelopes;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT'
        ? 'the file does not exist (the run did not write it, or the path is wrong)'
        : `${error}`;
    throw new GateInputError(file, problem, { cause: error });
  }
}

function lastContentLine(lines: readonly string[]): number {
  for (let index = lines.length - 1; index >= 0; index--) {
    if ((lines[index] ?? '').trim() !== '') return index;
  }
  return -1;
}

function parseLine(line: string, lineNumber: number, isLast: boolean, source: string): Envelope {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    // A writer killed mid-line leaves exactly this: whole lines, then half of one.
    const problem = isLast
      ? `line ${lineNumber}, the last, is not complete JSON: the file is truncated (the run was killed or the copy cut short)`
      : `line ${lineNumber} is not JSON (${(error as Error).message})`;
    throw new GateInputError(source, problem, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GateInputError(source, `line ${lineNumber} is JSON but not a cucumber message envelope`);
  }
  return value as Envelope;
}
