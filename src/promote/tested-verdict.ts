// gate.json as `mes-e2e promote` reads it: only what a promotion depends on, checked, so a file from
// another tool, an older mes-e2e or a truncated download is a usage error naming the file.
import { z } from 'zod';
import { readGateFile } from '../report/gate-file.ts';

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
  return readGateFile(file, {
    named: `--verdict ${file}`,
    schema: GateJson,
    hint: 'give the gate.json that mes-e2e gate (or run) wrote; a verdict of an older mes-e2e does not say what it tested: run the gate again',
  });
}
