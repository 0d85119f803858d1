// Checks HTTP answers against a component's OpenAPI 3 document (rule answer-contract): the request
// matched to an operation, the answer's status declared by it, its JSON body valid against the
// declared schema, its required headers present. Pure: a document and answers in, violations out.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { JsonObject } from '../config/contracts.ts';
import { maskEvidence } from './evidence.ts';
import { jsonSchemaOf } from './openapi-schemas.ts';
import type { Violation } from './violations.ts';

export interface CheckedRequest {
  method: string;
  /** Relative to the component's base URL; may carry a query. */
  path: string;
}

export interface CheckedAnswer {
  status: number;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string>>;
  body: unknown;
}

/** The violations of one answer: none when it keeps the contract or the request is to no operation. */
export type AnswerChecker = (request: CheckedRequest, answer: CheckedAnswer) => Violation[];

export interface AnswerCheckerOptions {
  /** Masks what the structural masking cannot know: the run's own keys and secrets. */
  mask?: (text: string) => string;
}

const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface Operation {
  method: string;
  /** The path template as the document writes it: what `where` names. */
  template: string;
  matcher: RegExp;
  /** Fewer parameters first: a literal path wins over a template that also matches (OpenAPI's rule). */
  parameterCount: number;
  /** JSON pointer to the operation, for the validators' $refs. */
  pointer: string;
  responses: JsonObject;
}

/** One document, indexed and with its validators compiled on first use, shared by every checker of it. */
interface CompiledDocument {
  operations: Operation[];
  basePaths: string[];
  validatorAt(pointer: string): ValidateFunction | string;
}

const asObject = (value: unknown): JsonObject | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;

const pointerSegment = (key: string) => encodeURIComponent(key.replaceAll('~', '~0').replaceAll('/', '~1'));

const escapeRegExp = (text: string) => text.replace(/[.*+?^$()|[\]\\]/g, '\\$&');

function matcherOf(template: string): RegExp {
  const pattern = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : escapeRegExp(part)))
    .join('');
  return new RegExp(`^${pattern}$`);
}

function operationsOf(document: JsonObject): Operation[] {
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries(asObject(document.paths) ?? {})) {
    for (const method of methods) {
      const operation = asObject(asObject(item)?.[method]);
      if (!operation) continue;
      operations.push({
        method: method.toUpperCase(),
        template,
        matcher: matcherOf(template),
        parameterCount: template.match(/\{[^}]+\}/g)?.length ?? 0,
        pointer: `#/paths/${pointerSegment(template)}/${method}`,
        responses: asObject(operation.responses) ?? {},
      });
    }
  }
  return operations.sort((a, b) => a.parameterCount - b.parameterCount);
}

/** The path part of each server URL (variables at their defaults): a prefix the requests may carry. */
function basePathsOf(document: JsonObject): string[] {
  const servers = Array.isArray(document.servers) ? document.servers : [];
  const paths = servers.flatMap((server) => {
    const { url, variables } = asObject(server) ?? {};
    if (typeof url !== 'string') return [];
    const filled = url.replace(/\{([^}]+)\}/g, (_, name: string) =>
      String(asObject(asObject(variables)?.[name])?.default ?? ''),
    );
    try {
      return [new URL(filled, 'http://base.invalid').pathname.replace(/\/+$/, '')];
    } catch {
      return [];
    }
  });
  return [...new Set(paths.filter((path) => path !== ''))];
}

/** An Ajv for the document's OpenAPI version (3.1: JSON Schema 2020-12; 3.0: its draft-04-like dialect). */
function ajvFor(version: string): Ajv {
  // strict off: OpenAPI's own keywords (example, discriminator, xml, x-...) sit beside JSON Schema's.
  const options = { strict: false, allErrors: true, validateSchema: false, logger: false } as const;
  const ajv = version.startsWith('3.0') ? new Ajv(options) : new Ajv2020(options);
  ajvFormats.default(ajv);
  // OpenAPI's own formats: numbers' sizes are not checked, the others say nothing a schema can check.
  for (const format of ['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password'])
    ajv.addFormat(format, true);
  return ajv;
}

const documentKey = 'openapi';

function compileDocument(document: JsonObject): CompiledDocument {
  const version = String(document.openapi ?? '3.1.0');
  const ajv = ajvFor(version);
  ajv.addSchema(jsonSchemaOf(document, version) as object, documentKey);
  const validators = new Map<string, ValidateFunction | string>();
  return {
    operations: operationsOf(document),
    basePaths: basePathsOf(document),
    validatorAt(pointer) {
      let validator = validators.get(pointer);
      if (validator === undefined) {
        try {
          validator = ajv.compile({ $ref: `${documentKey}${pointer}` });
        } catch (error) {
          // Said in the violation: an answer that cannot be checked is not shown to keep the contract.
          validator = `the schema cannot be compiled (${(error as Error).message})`;
        }
        validators.set(pointer, validator);
      }
      return validator;
    },
  };
}

// Keyed by the document's text, not its identity: cucumber hands every scenario a fresh structured
// clone of the world parameters, and compiling a document's schemas for each would cost more than a run.
const compiled = new Map<string, CompiledDocument>();

function compiledOf(document: JsonObject): CompiledDocument {
  const text = JSON.stringify(document);
  let found = compiled.get(text);
  if (!found) {
    found = compileDocument(document);
    compiled.set(text, found);
  }
  return found;
}

function operationFor(document: CompiledDocument, request: CheckedRequest): Operation | undefined {
  const path = request.path.split(/[?#]/)[0] ?? '';
  const method = request.method.toUpperCase();
  const candidates = [
    path,
    ...document.basePaths
      .filter((base) => path.startsWith(`${base}/`))
      .map((base) => path.slice(base.length)),
  ];
  return document.operations.find(
    (operation) =>
      operation.method === method && candidates.some((candidate) => operation.matcher.test(candidate)),
  );
}

/** The declared response for the status: exact, then its range (4XX), then default. */
function declaredResponse(
  responses: JsonObject,
  status: number,
): { key: string; response: JsonObject } | undefined {
  const range = `${String(status)[0]}XX`;
  const key =
    Object.keys(responses).find((declared) => declared === String(status)) ??
    Object.keys(responses).find((declared) => declared.toUpperCase() === range) ??
    (Object.hasOwn(responses, 'default') ? 'default' : undefined);
  return key === undefined ? undefined : { key, response: asObject(responses[key]) ?? {} };
}

const mediaTypeOf = (headers: CheckedAnswer['headers']) =>
  headers['content-type']?.split(';')[0]?.trim().toLowerCase();

const isJsonMediaType = (mediaType: string) => /^application\/(?:[\w.-]+\+)?json$/.test(mediaType);

/** The declared content entry for the answer's media type (exact, then wildcards): its key. */
function declaredMediaType(content: JsonObject, mediaType: string): string | undefined {
  const [type] = mediaType.split('/');
  const keys = Object.keys(content);
  return (
    keys.find((key) => key.toLowerCase() === mediaType) ??
    keys.find((key) => key.toLowerCase() === `${type}/*`) ??
    keys.find((key) => key === '*/*')
  );
}

const shownErrors = 3;

function describeErrors(errors: readonly ErrorObject[]): string {
  const lines = errors.map((error) => {
    const extra =
      error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : '';
    return `${error.instancePath ? `${error.instancePath} ` : ''}${error.message ?? 'is invalid'}${extra}`;
  });
  const unique = [...new Set(lines)];
  const more = unique.length > shownErrors ? `; and ${unique.length - shownErrors} more` : '';
  return `body: ${unique.slice(0, shownErrors).join('; ')}${more}`;
}

/** What is wrong with the body, or undefined when it matches (or there is nothing to check it by). */
function bodyProblem(
  document: CompiledDocument,
  pointer: string,
  response: JsonObject,
  answer: CheckedAnswer,
): string | undefined {
  const content = asObject(response.content);
  const mediaType = mediaTypeOf(answer.headers);
  // An empty body is no JSON to check; a body in another media type (a page, a file) is not checked.
  if (
    !content ||
    !mediaType ||
    !isJsonMediaType(mediaType) ||
    answer.body === '' ||
    answer.body === undefined
  )
    return undefined;
  const declared = declaredMediaType(content, mediaType);
  if (declared === undefined)
    return `content type ${mediaType} is not declared (declared: ${Object.keys(content).join(', ') || 'none'})`;
  if (asObject(content[declared])?.schema === undefined) return undefined;
  const validator = document.validatorAt(`${pointer}/content/${pointerSegment(declared)}/schema`);
  if (typeof validator === 'string') return `body: ${validator}`;
  return validator(answer.body) ? undefined : describeErrors(validator.errors ?? []);
}

/** The headers the declared response requires and the answer lacks (Content-Type is described elsewhere). */
function missingHeaders(response: JsonObject, answer: CheckedAnswer): string[] {
  return Object.entries(asObject(response.headers) ?? {})
    .filter(([name, header]) => asObject(header)?.required === true && name.toLowerCase() !== 'content-type')
    .map(([name]) => name)
    .filter((name) => answer.headers[name.toLowerCase()] === undefined);
}

function problemsOf(document: CompiledDocument, operation: Operation, answer: CheckedAnswer): string[] {
  const declared = declaredResponse(operation.responses, answer.status);
  if (!declared) {
    const listed = Object.keys(operation.responses).join(', ') || 'none';
    return [`status ${answer.status} is not declared (declared: ${listed})`];
  }
  const pointer = `${operation.pointer}/responses/${pointerSegment(declared.key)}`;
  const body = bodyProblem(document, pointer, declared.response, answer);
  const missing = missingHeaders(declared.response, answer);
  return [
    ...(body ? [body] : []),
    ...(missing.length > 0
      ? [`required header ${missing.join(', ')} missing (status ${answer.status})`]
      : []),
  ];
}

/**
 * The checker of the component's answers against its OpenAPI document. A request to no operation of the
 * document is not checked: scenarios send bad paths on purpose, and the document says nothing of them.
 */
export function answerChecker(
  component: string,
  document: JsonObject,
  options: AnswerCheckerOptions = {},
): AnswerChecker {
  const checked = compiledOf(document);
  return (request, answer) => {
    const operation = operationFor(checked, request);
    if (!operation) return [];
    const where = `${component} ${operation.method} ${operation.template}`;
    return problemsOf(checked, operation, answer).map((problem) => ({
      rule: 'answer-contract',
      where,
      problem,
      evidence: maskEvidence(answer, options.mask),
    }));
  };
}
