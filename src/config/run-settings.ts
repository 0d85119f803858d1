// How a run runs (selection, parallelism, retries, fail-fast, reports, name, browser, deadlines): the
// file, the environment and the flags merged once (flags over environment over file over defaults)
// and checked by one schema; each problem is named by where its value came from.
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigurationError } from '../errors.ts';
import { describeValue } from './issues.ts';
import type { ConfigFile } from './schema.ts';

/** Flags as commander gives them: strings, and booleans for switches; absent when not given. */
export interface RunFlags {
  paths?: readonly string[];
  tags?: string;
  shard?: string;
  name?: string;
  parallel?: string;
  retry?: string;
  failFast?: boolean;
  maxFailures?: string;
  reports?: string;
}

/** Settings a command adds between the file and the flags (smoke: fail fast, tight step deadlines). */
export type RunPreset = Partial<Pick<RunSettings, 'failFast' | 'stepTimeoutMs'>> & {
  /** Combined with the selection's tags: `@smoke and (<tags>)`. */
  requiredTags?: string;
};

const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ error: `expected a whole number from ${min} to ${max}` })
    .int({ error: `expected a whole number from ${min} to ${max}` })
    .min(min, { error: `expected a whole number from ${min} to ${max}` })
    .max(max, { error: `expected a whole number from ${min} to ${max}` });

const Shard = z
  .string()
  .trim()
  .regex(/^\d+\/\d+$/, { error: 'expected i/n with 1 <= i <= n, e.g. 2/4' })
  .refine(
    (text) => {
      const [index = 0, total = 0] = text.split('/').map(Number);
      return total >= 1 && index >= 1 && index <= total;
    },
    { error: 'expected i/n with 1 <= i <= n, e.g. 2/4' },
  );

export const RunSettings = z.strictObject({
  /** Feature files or folders given on the command line (absolute); empty: the file's, else the shipped suite. */
  paths: z.array(z.string().min(1)),
  tags: z.string(),
  shard: Shard.optional(),
  /** The run's name, shared by its shards; the run id when not given. */
  name: z.string().min(1).optional(),
  parallel: wholeNumber(0, 16),
  retry: wholeNumber(0, 10),
  failFast: z.boolean(),
  /** Scenarios failed (quarantined ones aside) after which the rest do not start; 0: no limit. */
  maxFailures: wholeNumber(0, 100_000),
  /** Absolute: where reports/<run-id>/ goes. */
  reportsDir: z.string().min(1),
  /** How long one step may take, unless it names its own deadline ("within N seconds"). */
  stepTimeoutMs: wholeNumber(1_000, 3_600_000),
  /** The Chromium for @ui scenarios (absolute); undefined: the system's. */
  chromium: z.string().min(1).optional(),
  /** The commit under test, when the caller knows it (GITHUB_SHA in GitHub Actions). */
  commit: z.string().min(1).optional(),
});
export type RunSettings = z.infer<typeof RunSettings>;

type Key = keyof RunSettings;
type Layer = { from: (key: Key) => string; values: Partial<Record<Key, unknown>> };

/** The object without its undefined values: a layer or a change gives only what it names. */
export const defined = <T extends object>(values: T): Partial<T> =>
  Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;

/**
 * A pipeline broken early fails every scenario, each after waiting out its deadline: five failures
 * that would block anyway are enough to say BLOCK in minutes instead of a quarter of an hour.
 */
export const defaultMaxFailures = 5;

const flagNames: Record<Key, string> = {
  paths: 'feature paths',
  tags: '--tags',
  shard: '--shard',
  name: '--name',
  parallel: '--parallel',
  retry: '--retry',
  failFast: '--fail-fast',
  maxFailures: '--max-failures',
  reportsDir: '--reports',
  stepTimeoutMs: 'step timeout',
  chromium: 'chromium',
  commit: 'commit',
};

export interface SettingsSources {
  cwd: string;
  configFile: string | undefined;
  configDir: string;
  config: ConfigFile;
  env: Readonly<Record<string, string | undefined>>;
  flags: RunFlags;
  preset: RunPreset;
}

/** Each source, lowest first, with its own paths already made absolute against its own folder. */
function layersOf(sources: SettingsSources): Layer[] {
  const { config, configDir, cwd, env, flags, preset } = sources;
  const file = sources.configFile ?? 'the configuration';
  return [
    {
      from: (key) => `default ${key}`,
      values: {
        paths: [],
        tags: '',
        parallel: 1,
        retry: 0,
        failFast: false,
        maxFailures: defaultMaxFailures,
        stepTimeoutMs: 60_000,
      },
    },
    {
      from: (key) => `${key} in ${file}`,
      values: defined({
        tags: config.tags,
        parallel: config.parallel,
        retry: config.retry,
        failFast: config.failFast,
        maxFailures: config.maxFailures,
        stepTimeoutMs: config.stepTimeoutMs,
        reportsDir: resolve(configDir, config.reportsDir ?? 'reports'),
        chromium: config.chromium === undefined ? undefined : resolve(configDir, config.chromium),
      }),
    },
    {
      from: (key) => (key === 'commit' ? 'GITHUB_SHA' : 'MES_E2E_CHROMIUM'),
      values: defined({
        chromium: env.MES_E2E_CHROMIUM || undefined,
        commit: env.GITHUB_SHA || undefined,
      }),
    },
    { from: (key) => `${key} of this command`, values: defined({ ...preset, requiredTags: undefined }) },
    {
      from: (key) => flagNames[key],
      values: defined({
        paths:
          flags.paths && flags.paths.length > 0 ? flags.paths.map((path) => resolve(cwd, path)) : undefined,
        tags: flags.tags,
        shard: flags.shard,
        name: flags.name,
        parallel: flags.parallel,
        retry: flags.retry,
        failFast: flags.failFast,
        maxFailures: flags.maxFailures,
        reportsDir: flags.reports === undefined ? undefined : resolve(cwd, flags.reports),
      }),
    },
  ];
}

/** The run's settings: every layer merged, then checked once; a bad value names its source. */
export function mergeRunSettings(sources: SettingsSources): RunSettings {
  const merged: Partial<Record<Key, unknown>> = {};
  const origin = new Map<Key, string>();
  for (const layer of layersOf(sources)) {
    for (const [key, value] of Object.entries(layer.values) as Array<[Key, unknown]>) {
      merged[key] = value;
      origin.set(key, layer.from(key));
    }
  }
  const required = sources.preset.requiredTags;
  if (required) {
    const tags = typeof merged.tags === 'string' ? merged.tags.trim() : '';
    merged.tags = tags ? `${required} and (${tags})` : required;
  }
  const parsed = RunSettings.safeParse(merged);
  if (parsed.success) return parsed.data;
  const origins = parsed.error.issues.map(
    (issue) => origin.get(issue.path[0] as Key) ?? String(issue.path[0]),
  );
  const problems = parsed.error.issues.map(
    (issue, index) =>
      `${origins[index]}: ${issue.message}, found ${describeValue(merged[issue.path[0] as Key])}`,
  );
  const inFile =
    sources.configFile !== undefined && origins.some((from) => from.endsWith(` in ${sources.configFile}`));
  throw new ConfigurationError(inFile ? sources.configFile : undefined, problems);
}
