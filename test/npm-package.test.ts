// `npm pack` yields a package that, installed into an empty folder, runs `npx mes-e2e`, and whose exports
// (the World, the shipped steps, the drivers, the waiting helper) a team's TypeScript steps import.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Envelope } from '@cucumber/messages';
import { managementAccess } from '../src/drivers/probes.ts';
import { infrastructureVariables } from './support/infrastructure.ts';
import { repoRoot, runCommand, runMesE2e } from './support/run-cli.ts';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** The exchanges and queues of the broker's default vhost, by name (the management API lists them at once). */
async function declaredOn(managementUrl: string): Promise<string[]> {
  const { origin, authorization } = managementAccess(managementUrl);
  const names = await Promise.all(
    ['exchanges', 'queues'].map(async (kind) => {
      const response = await fetch(`${origin}/api/${kind}/%2F?columns=name`, { headers: { authorization } });
      assert.equal(response.status, 200, `the management API lists ${kind}`);
      return ((await response.json()) as Array<{ name: string }>).map((item) => `${kind}: ${item.name}`);
    }),
  );
  return names.flat().sort();
}

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
    // Without install scripts: mes-e2e has none, and its dependencies' (ssh2's optional native
    // cpu-features build, which nothing here uses) took a third of the install's time.
    const installed = await runCommand(
      npm,
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', tarball],
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

  it("installs @cucumber/cucumber once, beside mes-e2e, as its peer: the team's steps and ours share one registry", async () => {
    const installedRoot = join(consumerDir, 'node_modules', 'mes-e2e');
    const manifest = JSON.parse(await readFile(join(installedRoot, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
    };
    assert.equal(manifest.dependencies?.['@cucumber/cucumber'], undefined, 'not a dependency of its own');
    assert.match(manifest.peerDependencies?.['@cucumber/cucumber'] ?? '', /^\^\d+\.\d+\.\d+$/);
    assert.ok(
      existsSync(join(consumerDir, 'node_modules', '@cucumber', 'cucumber', 'package.json')),
      'npm installed the peer into the empty folder',
    );
    assert.ok(
      !existsSync(join(installedRoot, 'node_modules', '@cucumber', 'cucumber')),
      'mes-e2e has no cucumber of its own to register its steps with',
    );
  });

  describe("a team's TypeScript steps", () => {
    let team = '';
    let config = '';
    let teamService: Server | undefined;
    let statusAsked = 0;
    /** What the broker held while the scenario ran (the shipped hooks had opened the bus observer). */
    let declaredDuringRun: Promise<string[]> | undefined;
    const broker = {
      amqpUrl: process.env[infrastructureVariables.amqp] ?? '',
      managementUrl: process.env[infrastructureVariables.management] ?? '',
      databaseUrl: process.env[infrastructureVariables.database] ?? '',
    };

    before(async () => {
      team = join(consumerDir, 'e2e');
      await mkdir(join(team, 'features'), { recursive: true });
      await mkdir(join(team, 'steps'), { recursive: true });
      await writeFile(
        join(team, 'features', 'team.feature'),
        [
          "Feature: The team's own service",
          "  Scenario: The team's status, asked by a shipped step and awaited by the team's",
          '    When the client sends GET "/status" to crm',
          "    Then the answer's status is 200",
          '    And the team\'s service says "ready" within 5 seconds',
          '',
        ].join('\n'),
      );
      const teamSteps = [
        "import { Then } from '@cucumber/cucumber';",
        "import { httpBaseUrlOf, sendHttp } from 'mes-e2e/drivers';",
        "import { eventually } from 'mes-e2e/wait';",
        "import type { MesWorld } from 'mes-e2e/world';",
        '',
        "Then('the team\\'s service says {string} within {int} seconds', async function (this: MesWorld, state: string, seconds: number) {",
        '  // The shipped step before this one left its answer in the same World.',
        "  if (this.lastAnswer?.status !== 200) throw new Error('the shipped step left no answer');",
        "  const baseUrl = httpBaseUrlOf(this.endpoints, 'crm');",
        '  await eventually(',
        '    async () => {',
        "      const answer = await sendHttp({ method: 'GET', baseUrl, path: '/status', headers: {} });",
        '      return (answer.body as { state?: string }).state === state ? answer : undefined;',
        '    },',
        "    { within: seconds * 1000, description: 'the team service saying ' + state },",
        '  );',
        '});',
        '',
      ].join('\n');
      await writeFile(join(team, 'steps', 'team.steps.ts'), teamSteps);
      // A team on plain cucumber-js loads the shipped steps with this import; under mes-e2e run they are
      // loaded already, and the same module imported again registers nothing twice.
      await writeFile(join(team, 'steps', 'shipped.ts'), "import 'mes-e2e/steps';\n");

      // The team's service: "starting" for its first two questions, so the team's step has to wait.
      teamService = createServer((request, response) => {
        if (request.url !== '/status') {
          response.writeHead(404).end();
          return;
        }
        statusAsked += 1;
        declaredDuringRun ??= declaredOn(broker.managementUrl);
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ state: statusAsked > 2 ? 'ready' : 'starting' }));
      });
      const service = teamService;
      await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
      const serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;

      // Staging: every component is the team's, given by URL (the test run's broker and database), so
      // nothing starts, and nothing may be declared on the broker. Only the team's features run.
      config = join(consumerDir, 'mes-e2e.config.json');
      await writeFile(
        config,
        JSON.stringify({
          profile: 'staging',
          features: ['e2e/features'],
          steps: ['e2e/steps/*.ts'],
          components: {
            rabbitmq: { source: 'url', url: broker.amqpUrl, managementUrl: broker.managementUrl },
            postgres: { source: 'url', url: broker.databaseUrl },
            crm: { source: 'url', url: serviceUrl },
            mes: { source: 'url', url: serviceUrl },
            pricing: { source: 'url', url: serviceUrl },
          },
        }),
      );
    });

    // The other tests use the package's defaults.
    after(async () => {
      if (config) await rm(config, { force: true });
      await new Promise((resolve) => (teamService ? teamService.close(resolve) : resolve(undefined)));
    });

    it("type-check against the package's declarations: the World, the drivers and the waiting helper", async () => {
      // Beside the team's files, one that misuses each export (outside the steps the run loads): one tsc
      // run shows that the team's files pass and that the types are real, not any.
      await writeFile(
        join(team, 'misuse.ts'),
        [
          "import { sendHttp } from 'mes-e2e/drivers';",
          "import { eventually } from 'mes-e2e/wait';",
          "import type { MesWorld } from 'mes-e2e/world';",
          '',
          'export const world = (of: MesWorld) => of.lastAnswr;',
          "export const driver = () => sendHttp({ method: 'GET', path: '/status', headers: {} });",
          'export const wait = () => eventually(() => 1, { within: 1000 });',
          '',
        ].join('\n'),
      );
      // nodenext, as a team's Node project resolves the package's exports (its @types/node: ours, here).
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
      const errors = checked.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
      assert.deepEqual(
        errors.filter((line) => !line.startsWith('e2e/misuse.ts(')),
        [],
        "the team's steps type-check",
      );
      assert.equal(errors.length, 3, checked.stdout);
      assert.match(checked.stdout, /Property 'lastAnswr' does not exist on type 'MesWorld'/);
      assert.match(checked.stdout, /Property 'baseUrl' is missing in type .* required in type 'HttpRequest'/);
      assert.match(
        checked.stdout,
        /Property 'description' is missing in type .* required in type 'EventuallyOptions'/,
      );
    });

    it('run beside the shipped steps, without the shipped suite, and leave a broker the run did not create as it was', async () => {
      const declaredBefore = await declaredOn(broker.managementUrl);
      const result = await runCommand('npx', ['--no-install', 'mes-e2e', 'run', '--json'], {
        cwd: consumerDir,
        timeoutMs: 180_000,
      });
      assert.equal(result.code, 0, result.stdout + result.stderr);
      const summary = JSON.parse(result.stdout) as {
        verdict: string;
        counts: Record<string, number>;
        reports: string;
      };
      assert.equal(summary.verdict, 'PROMOTE');
      assert.equal(summary.counts.scenarios, 1, "only the team's scenario ran: the shipped features did not");
      assert.equal(summary.counts.passed, 1);
      assert.equal(
        statusAsked,
        3,
        "the shipped step asked once, the team's step until its service was ready",
      );

      // Each step matched one definition: the shipped ones from the package, the team's from its file.
      const envelopes = (await readFile(join(summary.reports, 'messages.ndjson'), 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Envelope);
      const definedIn = new Map(
        envelopes.flatMap((e) =>
          e.stepDefinition ? [[e.stepDefinition.id, e.stepDefinition.sourceReference.uri]] : [],
        ),
      );
      const testCase = envelopes.find((e) => e.testCase)?.testCase;
      assert.deepEqual(
        testCase?.testSteps
          .filter((step) => step.pickleStepId)
          .map((step) => (step.stepDefinitionIds ?? []).map((id) => definedIn.get(id))),
        [
          ['node_modules/mes-e2e/dist/steps/generic.steps.js'],
          ['node_modules/mes-e2e/dist/steps/generic.steps.js'],
          ['e2e/steps/team.steps.ts'],
        ],
      );

      // Staging: the shipped hooks opened the bus observer, which declares nothing there.
      assert.deepEqual(await declaredDuringRun, declaredBefore, 'nothing declared while the scenario ran');
      assert.deepEqual(await declaredOn(broker.managementUrl), declaredBefore, 'nothing declared after it');
    });
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
