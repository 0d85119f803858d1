// Reads a contract document's text as JSON or YAML, keeping positions, and tells which kind it is
// from its top-level key (`openapi:` or `asyncapi:`).
import spectralParsers, { type IParser } from '@stoplight/spectral-parsers';

export type ContractKind = 'openapi' | 'asyncapi';

/** 1-based, as editors show it. */
export interface Position {
  line: number;
  column: number;
}

export interface DocumentText {
  data: unknown;
  /** The kind its top-level key says; undefined when it has neither key. */
  kind: ContractKind | undefined;
  /** Where the value at a JSON pointer starts in the text, when it is there. */
  positionOf(pointer: string): Position | undefined;
}

export interface SyntaxProblem {
  position: Position;
  message: string;
}

/** `#/paths/~1orders/get` -> ['paths', '/orders', 'get'] */
export function pointerSegments(pointer: string): string[] {
  const body = pointer.replace(/^#/, '');
  if (body === '' || body === '/') return [];
  return body
    .slice(1)
    .split('/')
    .map((segment) => decodeURIComponent(segment).replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** ['paths', '/orders'] -> `#/paths/~1orders` */
export function pointerOf(segments: readonly (string | number)[]): string {
  return `#${segments.map((segment) => `/${String(segment).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('')}`;
}

function kindOf(data: unknown): ContractKind | undefined {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  if ('openapi' in data) return 'openapi';
  if ('asyncapi' in data) return 'asyncapi';
  return undefined;
}

/**
 * The text parsed by Spectral's own parsers (the ones its linting uses): JSON for a `.json` name,
 * YAML otherwise. A syntax error (or a key given twice) is a problem with its position.
 */
export function readDocumentText(text: string, name: string): DocumentText | SyntaxProblem {
  return name.toLowerCase().endsWith('.json')
    ? readWith(spectralParsers.Json, text)
    : readWith(spectralParsers.Yaml, text);
}

/** What any of Spectral's parsers gives. */
type ParserResult = ReturnType<IParser['parse']>;

function readWith<R extends ParserResult>(parser: IParser<R>, text: string): DocumentText | SyntaxProblem {
  const result = parser.parse(text);
  const error = result.diagnostics.find((diagnostic) => diagnostic.severity === 0);
  if (error) {
    const { line, character } = error.range.start;
    return { position: { line: line + 1, column: character + 1 }, message: String(error.message) };
  }
  return {
    data: result.data,
    kind: kindOf(result.data),
    positionOf: (pointer) => {
      const start = parser.getLocationForJsonPath(result, pointerSegments(pointer), true)?.range.start;
      return start ? { line: start.line + 1, column: start.character + 1 } : undefined;
    },
  };
}
