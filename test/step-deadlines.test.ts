// A step whose phrase names a deadline ("within N seconds") must be allowed to wait that long: the one
// step timeout would cut it short with "function timed out" instead of saying what was seen.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { loadSupport } from '@cucumber/cucumber/api';
import { defaultFeaturePaths, defaultSupportImports, suiteRoot } from '../src/config/selection.ts';

/** What this test reads of the library loadSupport returns (its public type is opaque). */
interface Library {
  defaultTimeout: number;
  stepDefinitions: Array<{
    pattern: string | RegExp;
    uri: string;
    line: number;
    options: { timeout?: number };
    expression: { match(text: string): unknown };
  }>;
}

const namesADeadline = /within \{int\} seconds?|within \{int\} second\(s\)/;

/** Every step line of the shipped features, without its keyword, with where it is. */
async function featureSteps(): Promise<Array<{ text: string; where: string }>> {
  const folder = defaultFeaturePaths[0] ?? assert.fail('no feature folder');
  const files = (await readdir(folder)).filter((name) => name.endsWith('.feature'));
  const steps = [];
  for (const file of files) {
    const lines = (await readFile(join(folder, file), 'utf8')).split('\n');
    for (const [i, line] of lines.entries()) {
      const step = /^\s*(?:Given|When|Then|And|But) (.+)$/.exec(line);
      if (step?.[1]) steps.push({ text: step[1].trim(), where: `${file}:${i + 1}` });
    }
  }
  return steps;
}

describe('step deadlines', () => {
  let library: Library;

  before(async () => {
    const sources = {
      paths: defaultFeaturePaths,
      defaultDialect: 'en',
      names: [],
      tagExpression: '',
      order: 'defined' as const,
    };
    library = (await loadSupport(
      { sources, support: { importPaths: defaultSupportImports } },
      { cwd: suiteRoot },
    )) as unknown as Library;
  });

  it('lifts the step timeout for every step that names its own deadline', () => {
    const ownDeadline = library.stepDefinitions.filter((definition) =>
      namesADeadline.test(String(definition.pattern)),
    );
    assert.ok(ownDeadline.length >= 10, `found ${ownDeadline.length} "within N seconds" steps`);
    const cutShort = ownDeadline.filter((definition) => definition.options.timeout !== -1);
    assert.deepEqual(
      cutShort.map((definition) => `${definition.pattern} (${definition.uri}:${definition.line})`),
      [],
    );
  });

  it('gives every deadline a feature names a step that can wait that long', async () => {
    const stepTimeout = library.defaultTimeout;
    const tooShort = [];
    for (const step of await featureSteps()) {
      const seconds = Number(/within (\d+) seconds?/.exec(step.text)?.[1] ?? Number.NaN);
      if (Number.isNaN(seconds)) continue;
      const definition = library.stepDefinitions.find((candidate) => candidate.expression.match(step.text));
      if (!definition) assert.fail(`no step definition for "${step.text}" (${step.where})`);
      const allowed = definition.options.timeout ?? stepTimeout;
      if (allowed !== -1 && allowed <= seconds * 1000)
        tooShort.push(`${step.where}: within ${seconds} s, step timeout ${allowed} ms`);
    }
    assert.deepEqual(tooShort, []);
  });
});
