// gate.json as the commands after a run read it (report --single-file, promote): parsed and checked
// against the part of its shape each one needs, so a file from another tool, an older mes-e2e or a
// truncated download is a usage error naming the file and what to give instead.
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { MesE2eError } from '../errors.ts';

export interface GateFileReader<T> {
  /** How messages name the file: the path, or the option that gave it. */
  readonly named: string;
  readonly schema: z.ZodType<T>;
  /** What to do when the file is not a verdict (unreadable, or of another shape). */
  readonly hint: string;
}

export function readGateFile<T>(file: string, { named, schema, hint }: GateFileReader<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new MesE2eError('usage', `${named}: cannot read it as JSON (${(error as Error).message})`, hint);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`);
    throw new MesE2eError(
      'usage',
      `${named} is not a verdict of mes-e2e: ${where.slice(0, 5).join('; ')}`,
      hint,
    );
  }
  return parsed.data;
}
