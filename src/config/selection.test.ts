import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { codeRoot } from '../package-root.ts';
import { controllableOnly, defaultSupportImports, presentOnly, shippedStepsModule } from './selection.ts';

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

describe('scenarios a profile cannot run', () => {
  const containers = {
    rabbitmq: { source: 'container', kind: 'rabbitmq' },
    postgres: { source: 'container', kind: 'postgres' },
    'postgres-replica': { source: 'container', kind: 'postgres-replica' },
  };
  it('a plan with a replica runs the scenarios that need one', () => {
    assert.deepEqual(presentOnly('@smoke', containers), { tags: '@smoke', lacking: [] });
  });

  it('a plan without one leaves them out, and says which kind it lacks', () => {
    const { 'postgres-replica': _, ...local } = containers;
    assert.deepEqual(presentOnly('', local), {
      tags: 'not @needs-postgres-replica',
      lacking: ['postgres-replica'],
    });
    assert.deepEqual(presentOnly('@critical or @ui', local), {
      tags: '(@critical or @ui) and not @needs-postgres-replica',
      lacking: ['postgres-replica'],
    });
  });

  it("a replica given by URL (someone else's) is not stopped: @breaks-postgres-replica is left out, by its kind", () => {
    const { tags, leftOut } = controllableOnly('', {
      ...containers,
      standby: { source: 'url', kind: 'postgres-replica' },
    });
    assert.deepEqual(leftOut, ['standby']);
    assert.equal(tags, 'not @breaks-standby and not @breaks-postgres-replica');
  });
});
