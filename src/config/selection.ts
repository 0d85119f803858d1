// Which scenarios a run means: feature paths (the command line's, else the configuration's, else the
// suite mes-e2e ships), step definitions (the shipped ones, then the team's), tags and shard. Checked
// here, before anything starts: a bad tag expression is a usage error that says how to write one.
import { dirname, join } from 'node:path';
import parseTagExpression from '@cucumber/tag-expressions';
import { MesE2eError } from '../errors.ts';
import { codeExtension, codeRoot, packageRoot } from '../package-root.ts';
import type { ComponentName } from './schema.ts';

/** The package's own suite: the reference scenarios and their steps (compiled in the published package). */
export const suiteRoot = packageRoot;
export const defaultFeaturePaths = [join(packageRoot, 'features')];
/**
 * The shipped steps and hooks: one module that imports them all (steps/index.ts), the same one the
 * package exports as `mes-e2e/steps`, so the CLI's suite and a team's import never differ. Named with
 * its extension: .ts in a checkout, .js in the published package.
 */
export const shippedStepsModule = join(codeRoot, 'steps', `index.${codeExtension}`);
export const defaultSupportImports = [shippedStepsModule];

export interface Selection {
  /** Feature URIs in messages and reports are relative to this folder. */
  cwd: string;
  paths: readonly string[];
  /** Step definitions and support code: the shipped ones, then the team's. */
  supportImports: readonly string[];
  tags: string;
  names: readonly string[];
  /** "i/n", 1-based. */
  shard: string | undefined;
}

/** Checks a tag expression up front: cucumber's own error does not say what is wrong with it. */
export function checkTags(expression: string): string {
  if (expression.trim() === '') return '';
  try {
    parseTagExpression(expression);
  } catch (error) {
    throw new MesE2eError(
      'usage',
      `--tags: "${expression}" is not a tag expression (${(error as Error).message})`,
      'combine tags with and, or, not and parentheses, e.g. "@critical and not @ui"',
    );
  }
  return expression;
}

/**
 * Scenarios tagged @breaks-<component> stop or pause that component; one given by URL belongs to
 * someone else, so those scenarios cannot run on this profile and are left out, with a stated reason.
 */
export function controllableOnly(
  tags: string,
  components: Readonly<Record<ComponentName, { source: string; kind?: string }>>,
) {
  const given = Object.entries(components).filter(([, { source }]) => source === 'url');
  const byUrl = given.map(([name]) => name);
  if (byUrl.length === 0) return { tags, leftOut: [] as ComponentName[] };
  // Scenarios name the broker, database and replica by their kind (@breaks-rabbitmq) whatever they are called.
  const tagNames = new Set(
    given.flatMap(([name, { kind }]) => (kind && kind !== 'service' ? [name, kind] : [name])),
  );
  const exclusion = [...tagNames].map((name) => `not @breaks-${name}`).join(' and ');
  return { tags: tags.trim() ? `(${tags}) and ${exclusion}` : exclusion, leftOut: byUrl };
}

/** Kinds of component a profile may lack: a scenario tagged @needs-<kind> runs only where there is one. */
export const optionalKinds = ['postgres-replica'] as const;

/**
 * Scenarios tagged @needs-<kind> (the database's replica) cannot run where the plan has no component
 * of that kind (the local and staging profiles by default): left out, with a stated reason.
 */
export function presentOnly(
  tags: string,
  components: Readonly<Record<ComponentName, { source: string; kind?: string }>>,
): { tags: string; lacking: string[] } {
  const kinds = new Set(Object.values(components).map((component) => component.kind));
  const lacking = optionalKinds.filter((kind) => !kinds.has(kind));
  if (lacking.length === 0) return { tags, lacking };
  const exclusion = lacking.map((kind) => `not @needs-${kind}`).join(' and ');
  return { tags: tags.trim() ? `(${tags}) and ${exclusion}` : exclusion, lacking };
}

export interface SelectionSources {
  cwd: string;
  configFile: string | undefined;
  /** Absolute: the command line's feature paths (empty when none were given). */
  paths: readonly string[];
  suite: { features: readonly string[] | undefined; steps: readonly string[] };
  tags: string;
  shard: string | undefined;
  components: Readonly<Record<ComponentName, { source: string; kind?: string }>>;
}

export function selectionOf(sources: SelectionSources): {
  selection: Selection;
  leftOut: ComponentName[];
  lacking: string[];
} {
  const [base, features] =
    sources.paths.length > 0
      ? [sources.cwd, sources.paths]
      : sources.suite.features
        ? [sources.configFile ? dirname(sources.configFile) : sources.cwd, sources.suite.features]
        : [suiteRoot, defaultFeaturePaths];
  const controllable = controllableOnly(checkTags(sources.tags), sources.components);
  const { leftOut } = controllable;
  const { tags, lacking } = presentOnly(controllable.tags, sources.components);
  const selection = Object.freeze({
    cwd: base,
    paths: Object.freeze([...features]),
    supportImports: Object.freeze([...defaultSupportImports, ...sources.suite.steps]),
    tags,
    names: Object.freeze([]),
    shard: sources.shard,
  });
  return { selection, leftOut, lacking };
}
