// gate.json as `mes-e2e promote` reads it: only what a promotion depends on, checked, so a file from
// another tool, an older mes-e2e or a truncated download is a usage error naming the file.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { MesE2eError } from '../errors.ts';

const TestedComponent = z.union([
  z.object({
    name: z.string(),
    source: z.literal('container'),
    image: z.string(),
    imageId: z.string(),
    repoDigests: z.array(z.string()),
  }),
  z.object({ name: z.string(), source: z.enum(['url', 'process', 'unknown']) }),
]);

const GateJson = z.object({
  format: z.literal('mes-e2e/gate@1'),
  verdict: z.enum(['PROMOTE', 'BLOCK']),
  reasons: z.array(z.string()),
  compromised: z.array(z.string()),
  tested: z
    .object({
      commit: z.string().optional(),
      ci: z.object({ runId: z.string(), attempts: z.array(z.number()) }).optional(),
      components: z.array(TestedComponent).optional(),
    })
    .nullable(),
});

export type TestedVerdict = z.infer<typeof GateJson>;

export function readTestedVerdict(file: string): TestedVerdict {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new MesE2eError(
      'usage',
      `--verdict ${file}: cannot read it as JSON (${(error as Error).message})`,
      'give the gate.json that mes-e2e gate (or run) wrote',
    );
  }
  const parsed = GateJson.safeParse(raw);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`);
    throw new MesE2eError(
      'usage',
      `--verdict ${file} is not a verdict of mes-e2e gate: ${where.slice(0, 5).join('; ')}`,
      'give the gate.json that mes-e2e gate (or run) wrote; a verdict of an older mes-e2e does not say what it tested: run the gate again',
    );
  }
  return parsed.data;
}
