// The architecture's rules bite: `npm run lint:architecture` (dependency-cruiser with the project's
// configuration) rejects a small tree in a temporary folder that breaks each rule once, naming the
// rule, keeps the exceptions the rules allow, and passes the repository. Because dependency-cruiser
// reads these TypeScript 7 sources without a TypeScript compiler, its graph is also held to the
// compiler's: every import `tsc --explainFiles` reports, and every TypeScript file of the repository.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from './support/run-cli.ts';

const run = promisify(execFile);
const bin = (name: string) => join(repoRoot, 'node_modules', '.bin', name);

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

interface Cruise {
  modules: Array<{ source: string; dependencies: Array<{ resolved: string }> }>;
  summary: { violations: Violation[] };
}

/** The arguments of the lint script, so that the test cruises exactly what `npm run lint` does. */
async function lintArguments(): Promise<string[]> {
  const manifest = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const script = manifest.scripts['lint:architecture'] ?? assert.fail('no lint:architecture script');
  const [command, ...args] = (script.match(/"[^"]*"|\S+/g) ?? []).map((word) => word.replaceAll('"', ''));
  assert.equal(command, 'depcruise');
  return args;
}

/** The lint as `npm run lint` runs it, on a tree: whether it failed, and what it said. */
async function lint(cwd: string): Promise<{ failed: boolean; said: string }> {
  const args = (await lintArguments()).map((arg) =>
    arg === '.dependency-cruiser.mjs' ? join(repoRoot, arg) : arg,
  );
  return run(bin('depcruise'), args, { cwd }).then(
    ({ stdout, stderr }) => ({ failed: false, said: stdout + stderr }),
    (error: { stdout: string; stderr: string }) => ({ failed: true, said: error.stdout + error.stderr }),
  );
}

/** The same cruise as JSON, written to a file (it is larger than a pipe's buffer). */
async function cruise(cwd: string, outputDir: string): Promise<Cruise> {
  const args = (await lintArguments()).map((arg) =>
    arg === '.dependency-cruiser.mjs' ? join(repoRoot, arg) : arg === 'err' ? 'json' : arg,
  );
  const output = join(outputDir, `cruise-${Math.random().toString(16).slice(2)}.json`);
  await run(bin('depcruise'), [...args, '--output-to', output], { cwd });
  return JSON.parse(await readFile(output, 'utf8')) as Cruise;
}

/** "rule: from -> to", a package named by its name rather than the file it resolves to. */
const described = (violation: Violation) =>
  `${violation.rule.name}: ${violation.from} -> ${violation.to.replace(/^node_modules\/((@[^/]+\/)?[^/]+)\/.*$/, '$1')}`;

/** Each file of the tree that breaks the rules, and what it imports. */
const brokenTree: Record<string, string> = {
  'bin/mes-e2e': "import '../src/cli/main.ts';\n",
  'src/cli/main.ts': 'export const main = 1;\n',
  // Type-only imports count: a driver that names a runner type knows the runner.
  'src/drivers/chaos.ts': "import type { Runner } from '../runner/run.ts';\nexport type Chaos = Runner;\n",
  'steps/faults.steps.ts': "import { up } from '../src/environment/up.ts';\nup();\n",
  'src/environment/up.ts': "import { Given } from '@cucumber/cucumber';\nexport const up = () => Given;\n",
  'src/runner/run.ts': "import { main } from '../cli/main.ts';\nexport type Runner = typeof main;\n",
  'src/gate/verdict.ts': [
    "import { execFile } from 'node:child_process';",
    "import { writeFileSync } from 'node:fs';",
    "import amqp from 'amqplib';",
    'export const verdict = [execFile, writeFileSync, amqp];',
    '',
  ].join('\n'),
  // Allowed: the one reader of the gate's input.
  'src/gate/messages.ts': "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
  'src/gate/policy.ts': 'export const defaultPolicy = {};\n',
  // The policy is allowed, the verdict is not.
  'src/config/load.ts': [
    "import { defaultPolicy } from '../gate/policy.ts';",
    "import { verdict } from '../gate/verdict.ts';",
    'export const plan = { defaultPolicy, verdict };',
    '',
  ].join('\n'),
  'src/report/summary.ts': "import { app } from '../../services/crm/app.ts';\nexport const summary = app;\n",
  'services/crm/app.ts': [
    "import { createServer } from 'node:http';",
    "import { z } from 'zod';",
    "import { MesE2eError } from '../../src/errors.ts';",
    'export const app = [createServer, z, MesE2eError];',
    '',
  ].join('\n'),
  'src/errors.ts': 'export class MesE2eError extends Error {}\n',
  'src/wait/eventually.ts': "import { until } from './until.ts';\nexport const eventually = until;\n",
  'src/wait/until.ts':
    "import { eventually } from './eventually.ts';\nexport const until = () => eventually;\n",
  'fixtures/orders.ts': "import { missing } from './missing.ts';\nexport const orders = missing;\n",
  'test/cli.test.ts': "import { main } from '../src/cli/main.ts';\nexport const tested = main;\n",
  'bench/.keep': '',
  'scripts/.keep': '',
};

const expectedViolations = [
  'steps-and-drivers-get-endpoints-only: src/drivers/chaos.ts -> src/runner/run.ts',
  'steps-and-drivers-get-endpoints-only: steps/faults.steps.ts -> src/environment/up.ts',
  'environment-knows-no-gherkin: src/environment/up.ts -> @cucumber/cucumber',
  'gate-does-no-io: src/gate/verdict.ts -> child_process',
  'gate-does-no-io: src/gate/verdict.ts -> amqplib',
  'gate-reads-only-its-input: src/gate/verdict.ts -> fs',
  'only-bin-starts-the-cli: src/runner/run.ts -> src/cli/main.ts',
  'config-is-read-first: src/config/load.ts -> src/gate/verdict.ts',
  'harness-never-imports-services: src/report/summary.ts -> services/crm/app.ts',
  'services-are-self-contained: services/crm/app.ts -> src/errors.ts',
  'services-are-self-contained: services/crm/app.ts -> zod',
  // A cycle is named once, at the import where the cruise found it closed.
  'no-circular: src/wait/eventually.ts -> src/wait/until.ts',
  'no-unresolvable: fixtures/orders.ts -> ./missing.ts',
];

/** Local import edges as the TypeScript compiler sees them ("from -> to", paths from the repository root). */
async function compilerImports(): Promise<string[]> {
  const { stdout } = await run(
    bin('tsc'),
    ['-p', 'tsconfig.json', '--noEmit', '--noCheck', '--explainFiles'],
    { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 },
  );
  const edges: string[] = [];
  let file = '';
  for (const line of stdout.split('\n')) {
    if (!line.startsWith(' ')) file = line.trim();
    const importer = /^\s+Imported via .* from file '([^']+)'/.exec(line)?.[1];
    if (importer && !file.includes('node_modules')) edges.push(`${importer} -> ${file}`);
  }
  return edges;
}

describe('architecture rules', { timeout: 120_000 }, () => {
  let dir = '';
  let tree = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mes-e2e-architecture-'));
    tree = join(dir, 'tree');
    for (const [file, text] of Object.entries(brokenTree)) {
      await mkdir(dirname(join(tree, file)), { recursive: true });
      await writeFile(join(tree, file), text);
    }
    // The repository's packages, so that imports of them resolve as they do in the checkout.
    await symlink(join(repoRoot, 'node_modules'), join(tree, 'node_modules'));
  });

  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('fails on an import that breaks each rule, naming the rule, and allows what the rules allow', async () => {
    const [{ failed, said }, result] = await Promise.all([lint(tree), cruise(tree, dir)]);
    assert.ok(failed, 'the lint fails');
    for (const violation of expectedViolations) {
      const rule = violation.slice(0, violation.indexOf(':'));
      assert.match(said, new RegExp(`error ${rule}: `), `the lint names ${rule}`);
    }
    assert.deepEqual(result.summary.violations.map(described).sort(), [...expectedViolations].sort());
  });

  it('passes the repository, and its graph holds every import the compiler sees and every TypeScript file', async () => {
    const [{ failed, said }, result, compiler, listed] = await Promise.all([
      lint(repoRoot),
      cruise(repoRoot, dir),
      compilerImports(),
      run('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], { cwd: repoRoot }),
    ]);
    assert.equal(failed, false, said);
    assert.deepEqual(result.summary.violations.map(described), []);
    const cruised = new Set(
      result.modules.flatMap((m) =>
        m.dependencies.map((dependency) => `${m.source} -> ${dependency.resolved}`),
      ),
    );
    assert.ok(compiler.length > 100, `the compiler reported ${compiler.length} imports`);
    assert.deepEqual(
      compiler.filter((edge) => !cruised.has(edge)),
      [],
      'imports the compiler sees and dependency-cruiser does not',
    );
    // A known import, type-only at that: the World's.
    assert.ok(cruised.has('steps/support/world.ts -> src/drivers/fault-targets.ts'));
    const sources = new Set(result.modules.map((m) => m.source));
    const files = listed.stdout
      .split('\n')
      .filter((file) => file.endsWith('.ts') && existsSync(join(repoRoot, file)));
    assert.deepEqual(
      files.filter((file) => !sources.has(file)),
      [],
      'TypeScript files the lint does not cruise',
    );
  });
});
