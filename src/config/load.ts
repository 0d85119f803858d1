// Turns the configuration file, the environment and the flags into one frozen RunPlan (components,
// policy, selection, how the run runs), or a ConfigurationError that names where the bad value came
// from, the key, what was expected and what was found. Nothing deeper reads raw configuration.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigurationError } from '../errors.ts';
import { defaultPolicy, type Policy } from '../gate/policy.ts';
import { resolveComponents } from './components.ts';
import { contractCache, contractCacheDir } from './contract-cache.ts';
import type { Contracts } from './contracts.ts';
import type { ResolvedComponent } from './defaults.ts';
import { sha256Of } from './fingerprint.ts';
import { describeIssues } from './issues.ts';
import type { Journey } from './journey.ts';
import { loadPipeline } from './pipeline.ts';
import { readQuarantineFile } from './quarantine-file.ts';
import {
  defined,
  mergeRunSettings,
  type RunFlags,
  type RunPreset,
  type RunSettings,
} from './run-settings.ts';
import { type ComponentName, ConfigFile, PolicyConfig, type ProfileName, profileNames } from './schema.ts';
import { type Selection, selectionOf } from './selection.ts';

export const configFileNames = ['mes-e2e.config.ts', 'mes-e2e.config.mjs', 'mes-e2e.config.json'] as const;

export interface RunPlan {
  configFile: string | undefined;
  profile: ProfileName;
  /** Why this profile: a flag, the file, or the default. */
  profileFrom: string;
  reportsDir: string;
  /** The configured Chromium, absolute; undefined: $MES_E2E_CHROMIUM or the system's. */
  chromium: string | undefined;
  readyTimeoutMs: number;
  components: Readonly<Record<ComponentName, ResolvedComponent>>;
  /** Absolute paths: the team's features (replacing the shipped suite) and extra step definitions. */
  suite: { features: readonly string[] | undefined; steps: readonly string[] };
  /** The gate's policy: the defaults with the file's changes, then those of --policy FILE. */
  policy: Policy;
  /** How the run runs: flags over environment over file over defaults. */
  run: RunSettings;
  /** The scenarios it means. */
  selection: Selection;
  /** Components given by URL: the scenarios that break them are left out of the selection. */
  leftOut: readonly ComponentName[];
  /** Kinds of component the plan lacks (its database's replica): the scenarios that need one are left out. */
  lacking: readonly string[];
  /** The pipeline's OpenAPI and AsyncAPI documents, checked and dereferenced (plain JSON). */
  contracts: Contracts;
  /** The hops of one order, resolved against the contracts. */
  journey: Journey;
  /** The configuration's secrets by name, their values read from the environment: never printed. */
  secrets: Readonly<Record<string, string>>;
  /** sha256 of the configuration as written, the merged policy, the profile and the tags: shards agree on it. */
  configSha256: string;
}

export interface LoadOptions {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  /** --config */
  configPath?: string | undefined;
  /** --profile */
  profile?: string | undefined;
  /** Asked only when no profile is named anywhere: containers when Docker answers, local otherwise. */
  dockerAnswers: () => Promise<boolean>;
  /** The run's flags (run, smoke, list); none for other commands. */
  flags?: RunFlags;
  /** What the command itself sets (smoke: @smoke, fail fast, 20 s steps). */
  preset?: RunPreset;
  /** --policy FILE: a JSON policy whose keys replace the configuration's. */
  policyFile?: string | undefined;
}

/** The nearest configuration file from cwd upwards, if any. */
export function findConfigFile(cwd: string): string | undefined {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of configFileNames) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

async function readConfigFile(file: string): Promise<unknown> {
  if (file.endsWith('.json')) {
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ConfigurationError(file, [`not valid JSON: ${(error as Error).message}`]);
    }
  }
  try {
    const loaded = (await import(pathToFileURL(file).href)) as { default?: unknown };
    if (loaded.default === undefined) throw new Error('it has no default export (export default { ... })');
    return loaded.default;
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    throw new ConfigurationError(file, [`could not be loaded: ${(error as Error).message}`]);
  }
}

/** The policy with what a configuration changes; keys not given keep their value. */
export function withPolicy(base: Policy, changes: PolicyConfig | undefined): Policy {
  return Object.freeze({
    ...base,
    ...defined(changes ?? {}),
    // A rule switched in the file leaves the others as they were; so does a quarantine key.
    rules: Object.freeze({ ...base.rules, ...changes?.rules }),
    quarantine: Object.freeze({ ...base.quarantine, ...defined(changes?.quarantine ?? {}) }),
  });
}

/** A policy's quarantine file is relative to the file that names it. */
function resolvingQuarantineFile(changes: PolicyConfig | undefined, dir: string): PolicyConfig | undefined {
  const file = changes?.quarantine?.file;
  return file === undefined
    ? changes
    : { ...changes, quarantine: { ...changes?.quarantine, file: resolve(dir, file) } };
}

/**
 * The policy with the entries of its quarantine file: the one it names, else quarantine.yml beside
 * the configuration file (or in cwd), which quarantines nothing when it does not exist.
 */
function withQuarantineEntries(policy: Policy, configDir: string): Policy {
  const named = policy.quarantine.file !== undefined;
  const file = policy.quarantine.file ?? join(configDir, 'quarantine.yml');
  const entries = Object.freeze(readQuarantineFile(file, named).map((entry) => Object.freeze(entry)));
  return Object.freeze({ ...policy, quarantine: Object.freeze({ ...policy.quarantine, file, entries }) });
}

const policyHint = 'Fix the policy file (or pass another with --policy) and run again.';

function readPolicyFile(cwd: string, file: string): PolicyConfig {
  const path = resolve(cwd, file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigurationError(
      path,
      [`--policy: cannot read it as JSON: ${(error as Error).message}`],
      policyHint,
    );
  }
  const parsed = PolicyConfig.safeParse(raw, { reportInput: true });
  if (!parsed.success)
    throw new ConfigurationError(path, describeIssues(parsed.error.issues, raw), policyHint);
  return resolvingQuarantineFile(parsed.data, dirname(path)) ?? parsed.data;
}

/** Freezes the plan and everything in it: no module deeper than the CLI changes what it was given. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Each secret's value, from its environment variable or as written; a variable not set is an error. */
function readSecrets(
  config: ConfigFile,
  configFile: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const problems: string[] = [];
  const values: Record<string, string> = {};
  for (const [name, secret] of Object.entries(config.secrets ?? {})) {
    if ('value' in secret) values[name] = secret.value;
    else if (env[secret.env]) values[name] = env[secret.env] as string;
    else problems.push(`secrets.${name}: the environment variable ${secret.env} is not set (or is empty)`);
  }
  if (problems.length > 0)
    throw new ConfigurationError(
      configFile,
      problems,
      'set the variables (in CI: from the secret store) and run again',
    );
  return values;
}

export interface Configuration {
  configFile: string | undefined;
  /** Where relative paths in it start: the file's folder, else cwd. */
  configDir: string;
  config: ConfigFile;
}

/**
 * The configuration file (--config, else the nearest one upwards) checked by the schema, nothing
 * resolved yet: for commands that need only part of it (`contracts check` its documents).
 */
export async function readConfiguration(options: {
  cwd: string;
  configPath?: string | undefined;
}): Promise<Configuration> {
  const configFile = options.configPath
    ? resolve(options.cwd, options.configPath)
    : findConfigFile(options.cwd);
  if (options.configPath && configFile && !existsSync(configFile)) {
    throw new ConfigurationError(configFile, ['the file given with --config does not exist']);
  }
  const raw = configFile ? await readConfigFile(configFile) : {};
  const parsed = ConfigFile.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ConfigurationError(configFile, describeIssues(parsed.error.issues, raw));
  return { configFile, configDir: configFile ? dirname(configFile) : options.cwd, config: parsed.data };
}

export async function loadRunPlan(options: LoadOptions): Promise<RunPlan> {
  const { configFile, configDir, config } = await readConfiguration(options);

  if (options.profile !== undefined && !(profileNames as readonly string[]).includes(options.profile)) {
    throw new ConfigurationError(undefined, [
      `--profile: unknown profile "${options.profile}"; expected one of ${profileNames.join(', ')}`,
    ]);
  }
  let profile: ProfileName;
  let profileFrom: string;
  if (options.profile) {
    profile = options.profile as ProfileName;
    profileFrom = '--profile';
  } else if (config.profile) {
    profile = config.profile;
    profileFrom = configFile ?? 'configuration';
  } else if (await options.dockerAnswers()) {
    profile = 'containers';
    profileFrom = 'default: a Docker engine answers';
  } else {
    profile = 'local';
    profileFrom = 'default: no Docker engine answers';
  }

  const secrets = readSecrets(config, configFile, options.env);
  const components = resolveComponents({
    config,
    configFile,
    configDir,
    profile,
    env: options.env,
    secretNames: Object.keys(secrets),
  });
  const pipeline = await loadPipeline({
    config,
    configFile,
    configDir,
    components: Object.keys(components),
    secretNames: Object.keys(secrets),
    cache: contractCache(contractCacheDir(options.env)),
  });
  const { contracts, journey } = pipeline;

  const run = mergeRunSettings({
    cwd: options.cwd,
    configFile,
    configDir,
    config,
    env: options.env,
    flags: options.flags ?? {},
    preset: options.preset ?? {},
  });
  const suite = {
    features: config.features?.map((path) => resolve(configDir, path)),
    steps: (config.steps ?? []).map((path) => resolve(configDir, path)),
  };
  const { selection, leftOut, lacking } = selectionOf({
    cwd: options.cwd,
    configFile,
    paths: run.paths,
    suite,
    tags: run.tags,
    shard: run.shard,
    components,
  });
  const policy = withQuarantineEntries(
    withPolicy(
      withPolicy(
        withPolicy(defaultPolicy, pipeline.policy),
        resolvingQuarantineFile(config.policy, configDir),
      ),
      options.policyFile ? readPolicyFile(options.cwd, options.policyFile) : undefined,
    ),
    configDir,
  );
  return deepFreeze({
    configFile,
    profile,
    profileFrom,
    reportsDir: run.reportsDir,
    chromium: run.chromium,
    readyTimeoutMs: config.readyTimeoutMs ?? 120_000,
    components,
    policy,
    suite,
    run,
    selection,
    leftOut,
    lacking,
    contracts,
    journey,
    secrets,
    // The quarantine file by its place beside the configuration, so two checkouts in other folders agree.
    configSha256: sha256Of({
      config,
      policy: {
        ...policy,
        quarantine: { ...policy.quarantine, file: relative(configDir, policy.quarantine.file ?? '') },
      },
      profile,
      tags: selection.tags,
    }),
  });
}
