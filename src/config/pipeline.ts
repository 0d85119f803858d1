// The pipeline's description in the plan: its contracts and its journey, from the configuration or,
// for what it does not give, from the reference stack's own configuration (services/reference.config.json,
// written with the same keys a team writes). Every document is read and checked before anything starts.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigurationError } from '../errors.ts';
import type { ContractCache } from './contract-cache.ts';
import { type Contracts, contractSources, readAsyncApi, readOpenApi } from './contracts.ts';
import { servicesDir } from './defaults.ts';
import { describeIssues } from './issues.ts';
import { type Journey, resolveJourney } from './journey.ts';
import { ConfigFile, type PolicyConfig } from './schema.ts';

/** The reference stack's contracts and journey, as a configuration file would give them. */
export const referenceConfigFile = join(servicesDir, 'reference.config.json');

export interface Pipeline {
  contracts: Contracts;
  journey: Journey;
  /**
   * The reference stack's own policy (its speed budgets) when the pipeline is the reference stack's
   * (no journey of its own): the configuration's policy keys replace its keys.
   */
  policy: PolicyConfig | undefined;
}

function readReference(): ConfigFile {
  const raw = JSON.parse(readFileSync(referenceConfigFile, 'utf8')) as unknown;
  const parsed = ConfigFile.safeParse(raw, { reportInput: true });
  if (!parsed.success)
    throw new ConfigurationError(referenceConfigFile, describeIssues(parsed.error.issues, raw));
  return parsed.data;
}

/** A contract document's file and the key that names it in messages ("contracts.openapi.crm"). */
export interface ContractFile {
  key: string;
  file: string;
}

export interface ContractFiles {
  /** By component name. */
  openapi: Readonly<Record<string, ContractFile>>;
  asyncapi: ContractFile | undefined;
}

/**
 * The documents a configuration means: its own, and for what it does not name the reference stack's
 * (keyed "... (default)"), unless it has a journey of its own.
 */
export function contractFiles(
  config: ConfigFile,
  configDir: string,
  reference: ConfigFile = readReference(),
): ContractFiles {
  const given = contractSources(config.contracts ?? {}, configDir);
  // A journey of its own is a pipeline of its own: the reference stack's documents would not describe it.
  const ownPipeline = config.journey !== undefined;
  const fallback = ownPipeline
    ? {}
    : contractSources(reference.contracts ?? {}, dirname(referenceConfigFile));
  const keyed = (key: string, isGiven: boolean) => (isGiven ? key : `${key} (default)`);
  const openapi = Object.entries(given.openapi ?? fallback.openapi ?? {}).map(([name, file]) => [
    name,
    { key: keyed(`contracts.openapi.${name}`, given.openapi !== undefined), file },
  ]);
  const asyncapi = given.asyncapi ?? fallback.asyncapi;
  return {
    openapi: Object.fromEntries(openapi),
    asyncapi: asyncapi
      ? { key: keyed('contracts.asyncapi', given.asyncapi !== undefined), file: asyncapi }
      : undefined,
  };
}

export async function loadPipeline(options: {
  config: ConfigFile;
  configFile: string | undefined;
  configDir: string;
  /** The components the plan has: the journey may name only these. */
  components: readonly string[];
  /** The configuration's secrets: a create request may name them. */
  secretNames?: readonly string[];
  /** Documents checked before, by their content; without it every document is checked again. */
  cache?: ContractCache;
}): Promise<Pipeline> {
  const { config } = options;
  const reference = readReference();
  const files = contractFiles(config, options.configDir, reference);
  const problems: string[] = [];
  for (const name of Object.keys(files.openapi))
    if (!options.components.includes(name))
      problems.push(
        `contracts.openapi.${name}: no component "${name}" in the configuration; it has: ${options.components.join(', ')}`,
      );
  const { asyncapi: asyncapiFile } = files;
  const [asyncapi, ...openapis] = await Promise.all([
    asyncapiFile
      ? readAsyncApi(asyncapiFile.file, asyncapiFile.key, options.cache)
      : Promise.resolve(
          'contracts.asyncapi: no AsyncAPI document is named; a configuration with its own journey names its own',
        ),
    ...Object.entries(files.openapi).map(async ([name, { file, key }]) => {
      const read = await readOpenApi(file, key, options.cache);
      return [name, read] as const;
    }),
  ]);
  const openapi: Contracts['openapi'] = {};
  for (const [name, read] of openapis) {
    if (typeof read === 'string') problems.push(read);
    else (openapi as Record<string, (typeof openapi)[string]>)[name] = read;
  }
  if (typeof asyncapi === 'string') problems.push(asyncapi);
  const file = options.configFile ?? referenceConfigFile;
  if (problems.length > 0 || typeof asyncapi === 'string') throw new ConfigurationError(file, problems);

  const contracts: Contracts = { openapi, asyncapi };
  const journeyConfig = config.journey ?? reference.journey;
  if (!journeyConfig) throw new ConfigurationError(file, ['journey: no journey is described']);
  const journey = resolveJourney(journeyConfig, contracts, options.components, problems, options.secretNames);
  if (!journey || problems.length > 0)
    throw new ConfigurationError(config.journey ? file : referenceConfigFile, problems);
  return { contracts, journey, policy: config.journey ? undefined : reference.policy };
}
