// One version of a contract document, from its text to the dereferenced document the differ compares:
// parsed (a syntax error has its line and column), of the kind expected, and valid OpenAPI 3
// (swagger-parser) or AsyncAPI 3 (the AsyncAPI parser, whose warnings are its lint findings).
import { type ContractKind, type DocumentText, type Position, readDocumentText } from './document-text.ts';
import { type Finding, findingOf } from './lint.ts';

export type Json = { readonly [key: string]: unknown };

export interface ContractDocument {
  kind: ContractKind;
  /** info.version */
  version: string | undefined;
  /** Every $ref replaced by what it points at. */
  document: Json;
  /** The AsyncAPI parser's warnings, hints and information; none for OpenAPI (its lint is Spectral's). */
  parserFindings: Finding[];
}

export interface Problem {
  message: string;
  position?: Position | undefined;
}

export interface Unusable {
  /** What is wrong with it as a whole: "is not valid YAML", "is not a valid OpenAPI 3 document". */
  reason: string;
  problems: Problem[];
}

const kindNames = { openapi: 'OpenAPI 3', asyncapi: 'AsyncAPI 3' } as const;

/**
 * Reads one version of a document. `file` is where its relative $refs start and, by its extension,
 * says JSON or YAML; `expected` is the kind the configuration names it as.
 */
export async function readContract(
  text: string,
  file: string,
  expected?: ContractKind,
): Promise<ContractDocument | Unusable> {
  const parsed = readDocumentText(text, file);
  if ('message' in parsed)
    return {
      reason: `is not valid ${file.toLowerCase().endsWith('.json') ? 'JSON' : 'YAML'}`,
      problems: [parsed],
    };
  const kind = parsed.kind;
  if (!kind)
    return {
      reason: 'is not a contract document',
      problems: [{ message: 'it has neither an `openapi:` nor an `asyncapi:` key at the top level' }],
    };
  if (expected && kind !== expected)
    return {
      reason: `is not an ${kindNames[expected]} document`,
      problems: [
        { message: `it is an ${kindNames[kind]} document`, position: parsed.positionOf(`#/${kind}`) },
      ],
    };
  return kind === 'openapi' ? readOpenApi(parsed, file) : readAsyncApi(text, file);
}

const infoVersion = (document: Json) => {
  const version = (document.info as Json | undefined)?.version;
  return typeof version === 'string' ? version : undefined;
};

async function readOpenApi(parsed: DocumentText, file: string): Promise<ContractDocument | Unusable> {
  const reason = 'is not a valid OpenAPI 3 document';
  const openapi = (parsed.data as Json).openapi;
  if (typeof openapi !== 'string' || !openapi.startsWith('3.'))
    return {
      reason,
      problems: [
        { message: `openapi: ${String(openapi)}; expected 3.x`, position: parsed.positionOf('#/openapi') },
      ],
    };
  const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
  try {
    // The file name is only where relative $refs start: the text may be another version of it. A copy
    // in plain JSON, because the parser dereferences in place and the parsed data holds proxies.
    const copy = JSON.parse(JSON.stringify(parsed.data));
    const document = (await new SwaggerParser().validate(file, copy, {})) as Json;
    return { kind: 'openapi', version: infoVersion(document), document, parserFindings: [] };
  } catch (error) {
    const details = (error as { details?: Array<{ instancePath?: string; message?: string }> }).details;
    const problems = Array.isArray(details)
      ? details.map((detail) => ({
          message: `#${detail.instancePath ?? ''} ${detail.message ?? 'is invalid'}`,
          position: parsed.positionOf(`#${detail.instancePath ?? ''}`),
        }))
      : [{ message: (error as Error).message.split('\n')[0] ?? String(error) }];
    return { reason, problems };
  }
}

type AsyncApiParser = InstanceType<typeof import('@asyncapi/parser').Parser>;
let asyncApiParser: Promise<AsyncApiParser> | undefined;

async function readAsyncApi(text: string, file: string): Promise<ContractDocument | Unusable> {
  asyncApiParser ??= import('@asyncapi/parser').then(({ Parser }) => new Parser());
  const { document, diagnostics } = await (await asyncApiParser).parse(text, { source: file });
  const findings = diagnostics.map(findingOf);
  const errors = findings.filter((finding) => finding.severity === 'error');
  const reason = 'is not a valid AsyncAPI 3 document';
  // The parser refuses a document with any error of its ruleset: those are what makes it invalid.
  if (!document || errors.length > 0)
    return {
      reason,
      problems: errors.map((error) => ({
        message: `${error.pointer} ${error.message} (${error.rule})`,
        position: { line: error.line, column: error.column },
      })),
    };
  const version = document.version();
  if (!version.startsWith('3.'))
    return { reason, problems: [{ message: `asyncapi: ${version}; expected 3.x` }] };
  const json = document.json() as Json;
  return { kind: 'asyncapi', version: infoVersion(json), document: json, parserFindings: findings };
}

export const isUnusable = (read: ContractDocument | Unusable): read is Unusable => 'reason' in read;
