// Lint findings of a contract document: Spectral with the OpenAPI ruleset for OpenAPI; for AsyncAPI
// the AsyncAPI parser's own diagnostics, which are Spectral results of its AsyncAPI ruleset.
import { Document, Spectral } from '@stoplight/spectral-core';
import spectralParsers from '@stoplight/spectral-parsers';
import { pointerOf } from './document-text.ts';
import { openApiRuleset } from './openapi-ruleset.ts';

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface Finding {
  severity: Severity;
  rule: string;
  message: string;
  /** JSON pointer of what it is about. */
  pointer: string;
  /** 1-based. */
  line: number;
  column: number;
}

/** What Spectral's results and the AsyncAPI parser's diagnostics have in common. */
interface SpectralResult {
  code: string | number;
  message: string;
  path: readonly (string | number)[];
  severity: number;
  range: { start: { line: number; character: number } };
}

const severities: readonly Severity[] = ['error', 'warning', 'info', 'hint'];

export function findingOf(result: SpectralResult): Finding {
  return {
    severity: severities[result.severity] ?? 'error',
    rule: String(result.code),
    message: result.message,
    pointer: pointerOf(result.path),
    line: result.range.start.line + 1,
    column: result.range.start.character + 1,
  };
}

let spectral: Spectral | undefined;

/** Lints an OpenAPI document's text; `file` names it and is where its relative $refs start. */
export async function lintOpenApi(text: string, file: string): Promise<Finding[]> {
  if (!spectral) {
    spectral = new Spectral();
    spectral.setRuleset(openApiRuleset);
  }
  const document = file.toLowerCase().endsWith('.json')
    ? new Document(text, spectralParsers.Json, file)
    : new Document(text, spectralParsers.Yaml, file);
  const results = await spectral.run(document);
  return results.map(findingOf);
}
