// Checked contracts, remembered by their content: loading the AsyncAPI parser and checking the documents
// costs seconds, and every command that builds a plan (list, smoke, gate) would pay it each time.
// Only documents that passed are kept, and only those that stand alone (no $ref to another file,
// whose change the key would not see). The cache is an optimisation: any failure to use it is ignored.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;
/** A checked document as plain, dereferenced JSON. */
type Document = { readonly [key: string]: unknown };

/** Where checked documents are kept: $MES_E2E_CACHE_DIR, else the per-user cache. */
export function contractCacheDir(env: Env): string | undefined {
  if (env.MES_E2E_CACHE_DIR) return join(env.MES_E2E_CACHE_DIR, 'contracts');
  const base = env.XDG_CACHE_HOME ?? (env.HOME ? join(env.HOME, '.cache') : undefined);
  return base ? join(base, 'mes-e2e', 'contracts') : undefined;
}

const require = createRequire(import.meta.url);
const versionOf = (pkg: string) => (require(`${pkg}/package.json`) as { version: string }).version;

/** What decides the result besides the text: the parsers that checked it, and how they were asked. */
const checkers = {
  asyncapi: () => `asyncapi:@asyncapi/parser@${versionOf('@asyncapi/parser')}`,
  openapi: () => `openapi:@apidevtools/swagger-parser@${versionOf('@apidevtools/swagger-parser')}`,
} as const;

/** A $ref whose target is not inside the same document ('#/...'). */
const refersToAnotherFile = (text: string) => /["']?\$ref["']?\s*:\s*["']?(?!#)[^\s"',}]/.test(text);

export interface ContractCache {
  /** The checked document for this text, if it was checked before. */
  get(kind: keyof typeof checkers, text: string): Document | undefined;
  /** Remembers a document that passed its check. */
  set(kind: keyof typeof checkers, text: string, document: Document): void;
}

export function contractCache(dir: string | undefined): ContractCache {
  const entry = (kind: keyof typeof checkers, text: string) => {
    if (!dir || refersToAnotherFile(text)) return undefined;
    const key = createHash('sha256').update(checkers[kind]()).update('\0').update(text).digest('hex');
    return join(dir, `${key}.json`);
  };
  return {
    get(kind, text) {
      const path = entry(kind, text);
      if (!path) return undefined;
      try {
        return JSON.parse(readFileSync(path, 'utf8')) as Document;
      } catch {
        return undefined;
      }
    },
    set(kind, text, document) {
      const path = entry(kind, text);
      if (!path || !dir) return;
      try {
        mkdirSync(dir, { recursive: true });
        // Written aside, then renamed: a reader never sees half a file.
        const aside = `${path}.${process.pid}.tmp`;
        writeFileSync(aside, JSON.stringify(document));
        renameSync(aside, path);
      } catch {
        // A read-only or full disk only costs the next command the check.
      }
    },
  };
}
