// `mes-e2e contracts check`: lints the pipeline's OpenAPI and AsyncAPI documents (the configuration's,
// or the files given) and, given their previous versions (--previous FILE, --since GIT-REF), lists the
// breaking changes; a breaking change blocks unless info.version's major number went up.
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { readConfiguration } from '../../config/load.ts';
import { contractFiles } from '../../config/pipeline.ts';
import {
  blockingReasons,
  checkDocument,
  type DocumentCheck,
  type DocumentReport,
  type DocumentSource,
  type PreviousVersion,
  type UnusableDocument,
} from '../../contracts/document-check.ts';
import type { ContractKind } from '../../contracts/document-text.ts';
import { fileAtRevision } from '../../contracts/git-revision.ts';
import type { Finding } from '../../contracts/lint.ts';
import { MesE2eError } from '../../errors.ts';
import type { Outcome } from '../outcome.ts';
import type { Output } from '../output.ts';

export interface ContractsCheckOptions {
  config?: string;
  previous?: string;
  since?: string;
  json?: boolean;
}

interface Target {
  key: string | undefined;
  file: string;
  kind: ContractKind | undefined;
}

const bumpHint =
  "A breaking change needs a new API version: raise the major number of the document's info.version " +
  '(or publish the change beside the old one, as a new versioned path, channel or document).';

export async function contractsCheck(
  files: readonly string[],
  options: ContractsCheckOptions,
  cwd: string,
  out: Output,
): Promise<Outcome> {
  if (options.previous !== undefined && options.since !== undefined)
    throw new MesE2eError('usage', '--previous and --since cannot be used together', 'Give one of them.');
  if (options.previous !== undefined && files.length !== 1)
    throw new MesE2eError(
      'usage',
      '--previous compares one document: give exactly one file with it',
      'Use --since <git-ref> to compare several documents with their versions at a commit.',
    );
  const targets =
    files.length > 0
      ? files.map((file) => ({ key: undefined, file: resolve(cwd, file), kind: undefined }))
      : await configuredTargets(cwd, options.config);
  const checks: DocumentCheck[] = [];
  for (const target of targets) checks.push(await check(target, options, cwd));
  const reports = checks.flatMap((result) => ('report' in result ? [result.report] : []));
  const unusable = checks.flatMap((result) => ('unusable' in result ? [result.unusable] : []));
  const shown = (file: string) => shownPath(cwd, file);
  for (const document of unusable) printUnusable(out, document, shown);
  if (options.json) out.json(asJson(reports, unusable));
  else for (const report of reports) printReport(out, report, shown);
  if (unusable.length > 0) {
    if (!options.json) out.line(out.color.red.bold('unusable document(s): fix them and run again'));
    return 'usage-error';
  }
  const blocking = reports.some((report) => blockingReasons(report).length > 0);
  if (!options.json) out.line(blocking ? out.color.red.bold('BLOCK') : out.color.green.bold('PASS'));
  return blocking ? 'block' : 'done';
}

/** The configuration's documents (the reference stack's when it names none), each by its key. */
async function configuredTargets(cwd: string, configPath: string | undefined): Promise<Target[]> {
  const { config, configDir } = await readConfiguration({ cwd, configPath });
  const documents = contractFiles(config, configDir);
  const targets: Target[] = Object.values(documents.openapi).map(({ key, file }) => ({
    key,
    file,
    kind: 'openapi',
  }));
  if (documents.asyncapi) targets.push({ ...documents.asyncapi, kind: 'asyncapi' });
  return targets;
}

async function check(target: Target, options: ContractsCheckOptions, cwd: string): Promise<DocumentCheck> {
  let text: string;
  try {
    text = await readFile(target.file, 'utf8');
  } catch (error) {
    return {
      unusable: {
        key: target.key,
        source: target.file,
        reason: 'cannot be read',
        problems: [{ message: (error as Error).message }],
      },
    };
  }
  const source: DocumentSource = { ...target, text };
  return checkDocument(source, await previousVersion(target.file, options, cwd));
}

async function previousVersion(
  file: string,
  options: ContractsCheckOptions,
  cwd: string,
): Promise<PreviousVersion | undefined> {
  if (options.since !== undefined) return fileAtRevision(file, options.since);
  if (options.previous === undefined) return undefined;
  const previous = resolve(cwd, options.previous);
  try {
    return { source: shownPath(cwd, previous), text: await readFile(previous, 'utf8') };
  } catch (error) {
    throw new MesE2eError(
      'usage',
      `--previous: cannot read ${previous}: ${(error as Error).message}`,
      'Give the file that holds the previous version of the document.',
    );
  }
}

/** Relative to where the command runs when the file is below it, so that editors can open it. */
function shownPath(cwd: string, file: string): string {
  if (!isAbsolute(file)) return file; // `<ref>:<path>`
  const inside = relative(cwd, file);
  return inside.startsWith('..') || isAbsolute(inside) ? file : inside;
}

function printUnusable(out: Output, document: UnusableDocument, shown: (file: string) => string): void {
  const name = document.key ? `${document.key}: ` : '';
  const source = shown(document.source);
  out.plainErr(out.color.red(`mes-e2e: ${name}${source} ${document.reason}`));
  for (const problem of document.problems) {
    const at = problem.position ? `${source}:${problem.position.line}:${problem.position.column}` : source;
    out.plainErr(`  ${at}: ${problem.message}`);
  }
}

const severityColor = (out: Output, finding: Finding) =>
  finding.severity === 'error'
    ? out.color.red(finding.severity)
    : finding.severity === 'warning'
      ? out.color.yellow(finding.severity)
      : out.color.dim(finding.severity);

function printReport(out: Output, report: DocumentReport, shown: (file: string) => string): void {
  const file = shown(report.file);
  const kind = report.kind === 'openapi' ? 'OpenAPI' : 'AsyncAPI';
  out.line(
    `${report.key ? `${report.key}: ` : ''}${file} (${kind}, info.version ${report.version ?? 'none'})`,
  );
  for (const finding of report.findings)
    out.line(
      `  ${file}:${finding.line}:${finding.column}  ${severityColor(out, finding)}  ${finding.rule}  ${finding.message} (${finding.pointer})`,
    );
  const { comparison } = report;
  if (comparison?.isNew) out.line(`  new since ${comparison.source}: nothing to compare`);
  else if (comparison) {
    for (const change of comparison.breaking)
      out.line(
        `  ${file}  ${out.color.red('breaking')}  ${change.rule}  ${change.where}: ${change.message} (${change.pointer})`,
      );
    const versions = `info.version ${comparison.previousVersion ?? 'none'} -> ${report.version ?? 'none'}`;
    const count = `${comparison.breaking.length} breaking change(s) since ${comparison.source}`;
    out.line(
      `  ${count}, ${versions}${comparison.breaking.length > 0 && comparison.newMajorVersion ? ': a new major version, so they pass' : ''}`,
    );
  }
  for (const reason of blockingReasons(report)) out.line(`  ${out.color.red('blocks:')} ${reason}`);
  if (comparison && !comparison.isNew && comparison.breaking.length > 0 && !comparison.newMajorVersion)
    out.line(`  ${bumpHint}`);
}

function asJson(reports: readonly DocumentReport[], unusable: readonly UnusableDocument[]) {
  return {
    verdict:
      unusable.length > 0
        ? 'unusable'
        : reports.some((report) => blockingReasons(report).length > 0)
          ? 'block'
          : 'pass',
    documents: reports.map((report) => ({ ...report, blocks: blockingReasons(report) })),
    unusable,
  };
}
