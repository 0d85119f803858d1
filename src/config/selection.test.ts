import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { codeRoot } from '../package-root.ts';
import { defaultSupportImports, shippedStepsModule } from './selection.ts';

const stepsDir = join(codeRoot, 'steps');

/** What cucumber's API registers with: a module that imports one of these adds to the support code. */
const registrations = new Set([
  'Given',
  'When',
  'Then',
  'defineStep',
  'Before',
  'After',
  'BeforeAll',
  'AfterAll',
  'BeforeStep',
  'AfterStep',
  'defineParameterType',
  'setWorldConstructor',
  'setDefaultTimeout',
  'setDefinitionFunctionWrapper',
  'setParallelCanAssign',
]);

/** The names a module imports from @cucumber/cucumber (type-only names included: harmless here). */
function cucumberImportsOf(source: string): string[] {
  const clause = /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@cucumber\/cucumber'/.exec(source)?.[1] ?? '';
  return clause
    .split(',')
    .map((name) => name.replace(/^\s*type\s+/, '').trim())
    .filter(Boolean);
}

describe('the shipped steps module', () => {
  it('is what a run imports for the shipped suite', () => {
    assert.deepEqual(defaultSupportImports, [shippedStepsModule]);
  });

  it('imports every file of steps/ that registers a step, hook, parameter type, World or timeout', () => {
    const files = [
      ...readdirSync(stepsDir).filter((name) => name.endsWith('.ts')),
      ...readdirSync(join(stepsDir, 'support')).map((name) => `support/${name}`),
    ].filter((name) => name.endsWith('.ts') && name !== 'index.ts' && !name.endsWith('.test.ts'));
    const registering = files.filter((name) =>
      cucumberImportsOf(readFileSync(join(stepsDir, name), 'utf8')).some((imported) =>
        registrations.has(imported),
      ),
    );
    const imported = [...readFileSync(shippedStepsModule, 'utf8').matchAll(/^import '\.\/(.+)';$/gm)].map(
      (match) => match[1],
    );
    assert.ok(registering.length >= 10, `found ${registering.length} registering files under steps/`);
    assert.deepEqual(
      [...imported].sort(),
      [...registering].sort(),
      `${relative(codeRoot, shippedStepsModule)} imports exactly the files of steps/ that register with cucumber`,
    );
  });
});
