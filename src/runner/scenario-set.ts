// What "the same scenarios" means for shards of one run: the whole selection before it is cut into
// shards, each scenario by place and name, and the text of every feature file it comes from, hashed.
// Two shards that disagree ran from different suites (another commit, other tags) and never merge.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Selection } from '../config/selection.ts';
import { type PlannedScenario, planScenarios } from './suite.ts';

export interface ScenarioSet {
  count: number;
  sha256: string;
}

/** The set the selection picks unsharded; `planned` is reused when the selection is not sharded. */
export async function scenarioSetOf(
  selection: Selection,
  planned: readonly PlannedScenario[],
): Promise<ScenarioSet> {
  const whole = selection.shard ? await planScenarios({ ...selection, shard: undefined }) : planned;
  const places = whole.map(({ uri, line, name }) => `${uri}:${line}\t${name}`).sort();
  const hash = createHash('sha256');
  for (const place of places) hash.update(`${place}\n`);
  for (const uri of [...new Set(whole.map((scenario) => scenario.uri))].sort()) {
    // Feature URIs are relative to the selection's folder, so every checkout hashes the same text.
    hash.update(`${uri}\n`);
    hash.update(await readFile(resolve(selection.cwd, uri)));
  }
  return { count: whole.length, sha256: hash.digest('hex') };
}
