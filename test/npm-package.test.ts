// `npm pack` yields a package that, installed into an empty folder, runs `npx mes-e2e`.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot, runCommand, runMesE2e } from './support/run-cli.ts';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('published package', { timeout: 300_000 }, () => {
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
    const installed = await runCommand(npm, ['install', '--no-audit', '--no-fund', tarball], {
      cwd: consumerDir,
      timeoutMs: 240_000,
    });
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
    const outsideServices = shipped.filter((file) => !file.startsWith('./services/'));
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
