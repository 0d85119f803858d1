// Checks one contract document: its lint findings and, given its previous version, the breaking changes
// since then, and whether a new major info.version announces them. The command reads the texts.
import { isNewMajorVersion } from './api-version.ts';
import { type BreakingChange, breakingChanges } from './breaking-changes.ts';
import { type ContractDocument, isUnusable, readContract, type Unusable } from './contract-document.ts';
import type { ContractKind } from './document-text.ts';
import { type Finding, lintOpenApi } from './lint.ts';

export interface DocumentSource {
  /** The configuration key that names it (`contracts.openapi.crm`); none for a file given by hand. */
  key?: string | undefined;
  file: string;
  text: string;
  /** The kind its key says it is; a file given by hand is whatever its top-level key says. */
  kind?: ContractKind | undefined;
}

export interface PreviousVersion {
  /** The file, or `<ref>:<path>`. */
  source: string;
  /** Undefined: it did not exist then, so the document is new. */
  text: string | undefined;
}

export type Comparison =
  | { source: string; isNew: true }
  | {
      source: string;
      isNew: false;
      previousVersion: string | undefined;
      breaking: BreakingChange[];
      /** info.version's major number went up: the breaking changes are announced. */
      newMajorVersion: boolean;
    };

export interface DocumentReport {
  key: string | undefined;
  file: string;
  kind: ContractKind;
  version: string | undefined;
  findings: Finding[];
  comparison: Comparison | undefined;
}

export interface UnusableDocument extends Unusable {
  key: string | undefined;
  /** The file, or `<ref>:<path>` for a previous version. */
  source: string;
}

export type DocumentCheck = { report: DocumentReport } | { unusable: UnusableDocument };

export async function checkDocument(
  current: DocumentSource,
  previous?: PreviousVersion,
): Promise<DocumentCheck> {
  const read = await readContract(current.text, current.file, current.kind);
  if (isUnusable(read)) return { unusable: { ...read, key: current.key, source: current.file } };
  const findings =
    read.kind === 'openapi' ? await lintOpenApi(current.text, current.file) : read.parserFindings;
  const report = { key: current.key, file: current.file, kind: read.kind, version: read.version, findings };
  if (!previous) return { report: { ...report, comparison: undefined } };
  if (previous.text === undefined)
    return { report: { ...report, comparison: { source: previous.source, isNew: true } } };
  const before = await readContract(previous.text, current.file, read.kind);
  if (isUnusable(before)) return { unusable: { ...before, key: current.key, source: previous.source } };
  return { report: { ...report, comparison: compare(previous.source, before, read) } };
}

function compare(source: string, before: ContractDocument, after: ContractDocument): Comparison {
  return {
    source,
    isNew: false,
    previousVersion: before.version,
    breaking: breakingChanges(after.kind, before.document, after.document),
    newMajorVersion: isNewMajorVersion(before.version, after.version),
  };
}

/** Why the document blocks a release: lint errors, breaking changes without a new major version. */
export function blockingReasons(report: DocumentReport): string[] {
  const reasons: string[] = [];
  const errors = report.findings.filter((finding) => finding.severity === 'error').length;
  if (errors > 0) reasons.push(`${errors} lint error(s)`);
  const { comparison } = report;
  if (comparison && !comparison.isNew && comparison.breaking.length > 0 && !comparison.newMajorVersion)
    reasons.push(
      `${comparison.breaking.length} breaking change(s) since ${comparison.source} without a new major info.version (${comparison.previousVersion ?? 'none'} -> ${report.version ?? 'none'})`,
    );
  return reasons;
}
