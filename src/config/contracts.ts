// Reads the pipeline's contracts (an OpenAPI 3 document per HTTP component, the bus's AsyncAPI 3
// document), checks them with their official parsers and keeps them as plain, dereferenced JSON, so
// that the plan can be frozen and cloned to workers. A problem is a line naming the key and the file.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ContractCache } from './contract-cache.ts';
import type { ContractsConfig } from './schema.ts';

/** A JSON value as the parsers return it, with every $ref replaced by what it points at. */
export type JsonObject = { readonly [key: string]: unknown };

export interface ContractDocument {
  /** Absolute path of the file it was read from. */
  file: string;
  document: JsonObject;
}

export interface Contracts {
  /** By component name. */
  openapi: Readonly<Record<string, ContractDocument>>;
  asyncapi: ContractDocument;
}

/** Where each contract comes from: absolute files, and the key that named them (for messages). */
export interface ContractSources {
  openapi: Readonly<Record<string, string>>;
  asyncapi: string;
}

export function contractSources(config: ContractsConfig, dir: string): Partial<ContractSources> {
  return {
    openapi: config.openapi
      ? Object.fromEntries(Object.entries(config.openapi).map(([name, file]) => [name, resolve(dir, file)]))
      : undefined,
    asyncapi: config.asyncapi ? resolve(dir, config.asyncapi) : undefined,
  };
}

/** How many of a parser's messages a problem quotes: the first ones say what to fix. */
const quoted = 5;

function firstMessages(messages: readonly string[]): string {
  const more = messages.length > quoted ? `; and ${messages.length - quoted} more` : '';
  return `${messages.slice(0, quoted).join('; ')}${more}`;
}

/**
 * The value as plain JSON: the parsers' own annotations (x-parser-*) dropped, shared parts copied.
 * A document that refers to itself (a recursive schema) cannot be frozen into plain data yet.
 */
function plainJson(value: unknown, path: string, within: readonly unknown[] = []): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (within.includes(value)) throw new TypeError(`it refers to itself at ${path} (a recursive $ref)`);
  const inside = [...within, value];
  if (Array.isArray(value)) return value.map((item, index) => plainJson(item, `${path}/${index}`, inside));
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.startsWith('x-parser-'))
      .map(([key, inner]) => [key, plainJson(inner, `${path}/${key}`, inside)]),
  );
}

type AsyncApiParser = InstanceType<typeof import('@asyncapi/parser').Parser>;
let asyncApiParser: Promise<AsyncApiParser> | undefined;

/** One parser per process: building its rule set is most of its cost. Loaded only when needed. */
function theAsyncApiParser(): Promise<AsyncApiParser> {
  asyncApiParser ??= import('@asyncapi/parser').then(({ Parser }) => new Parser());
  return asyncApiParser;
}

const documentNames = { asyncapi: 'AsyncAPI', openapi: 'OpenAPI' } as const;

/**
 * Reads `file` and checks it once: a text checked before comes from the cache. `check` gives the
 * parser's dereferenced document, or a problem; what passes is kept as plain JSON.
 */
async function readChecked(
  kind: keyof typeof documentNames,
  file: string,
  key: string,
  cache: ContractCache | undefined,
  check: (text: string) => Promise<unknown>,
): Promise<ContractDocument | string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return `${key}: cannot read the ${documentNames[kind]} document ${file}: ${(error as Error).message}`;
  }
  const known = cache?.get(kind, text);
  if (known) return { file, document: known };
  const checked = await check(text);
  if (typeof checked === 'string') return checked;
  try {
    const plain = plainJson(checked, '#') as JsonObject;
    cache?.set(kind, text, plain);
    return { file, document: plain };
  } catch (error) {
    return `${key}: ${file}: ${(error as Error).message}`;
  }
}

/** The AsyncAPI 3 document in `file`, dereferenced, or a problem naming `key` and the file. */
export function readAsyncApi(
  file: string,
  key: string,
  cache?: ContractCache,
): Promise<ContractDocument | string> {
  return readChecked('asyncapi', file, key, cache, async (text) => {
    const parser = await theAsyncApiParser();
    const { document, diagnostics } = await parser.parse(text, { source: file });
    // Severity 0 is an error; warnings and hints (e.g. "a newer version exists") do not stop a run.
    const errors = diagnostics
      .filter((diagnostic) => diagnostic.severity === 0)
      .map((diagnostic) => {
        const where =
          diagnostic.path.length > 0 ? diagnostic.path.join('.') : `line ${diagnostic.range.start.line + 1}`;
        return `${where}: ${diagnostic.message}`;
      });
    if (!document || errors.length > 0)
      return `${key}: ${file} is not a valid AsyncAPI document: ${firstMessages(errors.length ? errors : ['the parser gave no document'])}`;
    const version = document.version();
    if (!version.startsWith('3.'))
      return `${key}: ${file} is AsyncAPI ${version}; expected an AsyncAPI 3 document (asyncapi: 3.0.0)`;
    return document.json();
  });
}

/** The OpenAPI 3 document in `file`, validated and dereferenced, or a problem naming `key` and the file. */
export function readOpenApi(
  file: string,
  key: string,
  cache?: ContractCache,
): Promise<ContractDocument | string> {
  return readChecked('openapi', file, key, cache, async () => {
    const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
    let document: JsonObject;
    try {
      document = (await new SwaggerParser().validate(file)) as unknown as JsonObject;
    } catch (error) {
      const details = (error as { details?: Array<{ instancePath?: string; message?: string }> }).details;
      const messages = Array.isArray(details)
        ? details.map((detail) => `#${detail.instancePath ?? ''} ${detail.message ?? 'is invalid'}`)
        : [(error as Error).message.split('\n')[0] ?? String(error)];
      const cannotRead = /Error opening file|ENOENT|EACCES|EISDIR/.test(String((error as Error).message));
      return cannotRead
        ? `${key}: cannot read the OpenAPI document ${file}: ${(error as Error).message}`
        : `${key}: ${file} is not a valid OpenAPI document: ${firstMessages(messages)}`;
    }
    const version = typeof document.openapi === 'string' ? document.openapi : undefined;
    if (!version?.startsWith('3.'))
      return `${key}: ${file} is ${version ? `OpenAPI ${version}` : 'Swagger 2.0'}; expected an OpenAPI 3 document`;
    return document;
  });
}
