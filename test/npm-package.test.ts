// `npm pack` yields a package that, installed into an empty folder, runs `npx mes-e2e`.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, runCommand, runMesE2e } from './support/run-cli.ts';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

// A backstop for the whole block (npm pack and npm install in before() have 240 s each).
describe('published package', { timeout: 900_000 }, () => {
  let workDir = '';
  let consumerDir = '';

  before(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'mes-e2e-pack-'));
    const packed = await runCommand(npm, ['pack', '--silent', '--pack-destination', workDir], {
      timeoutMs: 240_000,
    });
    assert.equal(packed.code, 0, `npm pack failed:\n${packed.stderr}`);
    const tarball = join(workDir, packed.stdout.trim().split('\n').at(-1) ?? '');
    consumerDir = join(workDir, 'consumer');
    await runCommand('mkdir', ['-p', consumerDir]);
    await writeFile(join(consumerDir, 'package.json'), '{ "private": true }\n');
    // From npm's cache where it can: the checkout's own install filled it with the same versions.
    const installed = await runCommand(
      npm,
      ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball],
      {
        cwd: consumerDir,
        timeoutMs: 240_000,
      },
    );
    assert.equal(installed.code, 0, `npm install of the tarball failed:\n${installed.stderr}`);
  });

  after(async () => {
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('runs `npx mes-e2e --version` from the compiled package', async () => {
    const { version } = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as {
      version: string;
    };
    const result = await runCommand('npx', ['--no-install', 'mes-e2e', '--version'], { cwd: consumerDir });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), version);
  });

  it('runs `npx mes-e2e --help`', async () => {
    const result = await runCommand('npx', ['--no-install', 'mes-e2e', '--help'], { cwd: consumerDir });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Usage: mes-e2e/m);
  });

  it('ships the CLI as compiled JavaScript, and the reference services as sources to build images from', async () => {
    const installedRoot = join(consumerDir, 'node_modules', 'mes-e2e');
    // Relative paths: the package itself lies under node_modules, its own dependencies further down.
    const listing = await runCommand('find', ['.', '-name', '*.ts', '-not', '-path', '*/node_modules/*'], {
      cwd: installedRoot,
    });
    const shipped = listing.stdout.trim().split('\n').filter(Boolean);
    const declarations = shipped.filter((file) => file.endsWith('.d.ts'));
    assert.ok(declarations.includes('./dist/steps/support/world.d.ts'), 'the World ships with its types');
    const outsideServices = shipped.filter(
      (file) => !file.startsWith('./services/') && !file.endsWith('.d.ts'),
    );
    assert.deepEqual(outsideServices, [], 'the CLI ships as JavaScript');
    assert.ok(shipped.length > 0, 'the reference services ship as sources');
    assert.deepEqual(
      shipped.filter((file) => file.endsWith('.test.ts')),
      [],
      'tests are not shipped',
    );
    for (const file of ['services/crm/Dockerfile', 'services/package-lock.json', 'services/.dockerignore']) {
      await readFile(join(installedRoot, file), 'utf8');
    }
    const main = await readFile(join(installedRoot, 'dist', 'src', 'cli', 'main.js'), 'utf8');
    assert.match(main, /from '\.\/program\.js'/);
  });

  it('lists the shipped scenarios from the installed package, as the checkout does, every step defined', async () => {
    interface Listed {
      uri: string;
      name: string;
      undefinedSteps: number;
    }
    const installed = await runCommand('npx', ['--no-install', 'mes-e2e', 'list', '--json'], {
      cwd: consumerDir,
      timeoutMs: 120_000,
    });
    assert.equal(installed.code, 0, installed.stderr);
    const fromPackage = JSON.parse(installed.stdout) as Listed[];
    const checkout = await runMesE2e(['list', '--json'], { cwd: consumerDir, timeoutMs: 120_000 });
    assert.equal(checkout.code, 0, checkout.stderr);
    const fromSources = JSON.parse(checkout.stdout) as Listed[];
    assert.ok(fromPackage.length > 0, 'the package ships its features');
    const names = (listed: Listed[]) => listed.map((scenario) => `${scenario.uri}: ${scenario.name}`);
    assert.deepEqual(names(fromPackage), names(fromSources));
    assert.deepEqual(
      fromPackage.filter((scenario) => scenario.undefinedSteps > 0),
      [],
      'the compiled steps define every step of the shipped features',
    );
  });

  it("gives a team's TypeScript steps the shipped World's types, and runs them beside the shipped steps", async (t) => {
    const team = join(consumerDir, 'e2e');
    await mkdir(join(team, 'features'), { recursive: true });
    await mkdir(join(team, 'steps'), { recursive: true });
    await writeFile(
      join(team, 'features', 'team.feature'),
      [
        'Feature: A team scenario',
        '  Scenario: The team checks its own rule after a shipped step',
        '    When a B2C customer places an order through API v2 in EUR:',
        '      | sku  | quantity |',
        '      | LAMP | 1        |',
        '    Then the team sees 1 placed order',
        '',
      ].join('\n'),
    );
    const step = (body: string) =>
      [
        "import { Then } from '@cucumber/cucumber';",
        "import type { MesWorld } from 'mes-e2e/world';",
        '',
        "Then('the team sees {int} placed order', function (this: MesWorld, count: number) {",
        `  ${body}`,
        '});',
        '',
      ].join('\n');
    await writeFile(
      join(team, 'steps', 'team.steps.ts'),
      step("if (this.orders.length !== count) throw new Error('a different number of orders');"),
    );
    const config = join(consumerDir, 'mes-e2e.config.json');
    await writeFile(config, JSON.stringify({ features: ['e2e/features'], steps: ['e2e/steps/*.ts'] }));
    // The other tests use the package's defaults.
    t.after(() => rm(config, { force: true }));
    const listed = await runCommand('npx', ['--no-install', 'mes-e2e', 'list', '--json'], {
      cwd: consumerDir,
      timeoutMs: 120_000,
    });
    assert.equal(listed.code, 0, listed.stderr);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as Array<{ name: string; undefinedSteps: number }>).map((s) => [
        s.name,
        s.undefinedSteps,
      ]),
      [['The team checks its own rule after a shipped step', 0]],
      "the shipped step and the team's step are both defined",
    );

    // Type-checked against the package's declarations (the team's @types/node: ours, here).
    await writeFile(
      join(consumerDir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          target: 'esnext',
          strict: true,
          noEmit: true,
          typeRoots: [join(repoRoot, 'node_modules', '@types')],
          types: ['node'],
        },
        include: ['e2e'],
      }),
    );
    const tsc = join(repoRoot, 'node_modules', '.bin', 'tsc');
    const checked = await runCommand(tsc, ['-p', consumerDir], { cwd: consumerDir, timeoutMs: 120_000 });
    assert.equal(checked.code, 0, checked.stdout + checked.stderr);
    await writeFile(join(team, 'steps', 'team.steps.ts'), step('this.placeNothing(count);'));
    const wrong = await runCommand(tsc, ['-p', consumerDir], { cwd: consumerDir, timeoutMs: 120_000 });
    assert.notEqual(wrong.code, 0, 'a step that misuses the World does not type-check');
    assert.match(wrong.stdout, /Property 'placeNothing' does not exist on type 'MesWorld'/);
  });

  it('resolves the reference services to the installed package for the containers profile', async () => {
    const result = await runCommand(
      'npx',
      ['--no-install', 'mes-e2e', 'config', '--profile', 'containers', '--json'],
      {
        cwd: consumerDir,
      },
    );
    assert.equal(result.code, 0, result.stderr);
    const plan = JSON.parse(result.stdout) as { components: { crm: { build?: { context: string } } } };
    assert.equal(
      plan.components.crm.build?.context,
      `${join(consumerDir, 'node_modules', 'mes-e2e', 'services')}/`,
    );
  });
});
