// `mes-e2e env up|status|down` through the real executable on the containers profile: everything the
// run starts carries its label, and nothing with that label is left after down, an interrupt or a failure.
// The reference stack of five containers (up, status, fault handles, prune, down) is tested on the stack
// test/cli-run-containers.test.ts brings up for its run: one start of five containers instead of two.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpBaseUrlOf } from '../src/drivers/endpoints.ts';
import { leftovers } from './support/docker-leftovers.ts';
import { configuredProject } from './support/fixture-project.ts';
import { dockerMissing, skipWhenMissing } from './support/needs.ts';
import { envUpUntil, runCommand, runIdFrom, runMesE2e } from './support/run-cli.ts';
import { startTestEnvironment } from './support/test-environment.ts';

const skip = skipWhenMissing('env tests', await dockerMissing());

const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };

const project = (config?: unknown) => configuredProject(config, 'mes-e2e-env-');

describe('mes-e2e env', { timeout: 600_000, skip }, () => {
  it('runs a team configuration that replaces one service by a URL and another by an image with its own port and readiness', async () => {
    // The team's own CRM, already running somewhere: here the reference CRM of an environment on the
    // shared test infrastructure.
    const team = await startTestEnvironment();
    const teamImage = 'acme-e2e/pricing:1.0';
    const built = await runCommand(
      'docker',
      ['build', '-q', '-t', teamImage, '-f', 'services/pricing/Dockerfile', 'services'],
      {
        timeoutMs: 300_000,
      },
    );
    assert.equal(built.code, 0, built.stderr);
    const crmUrl = httpBaseUrlOf(team.record.endpoints, 'crm');
    const cwd = project({
      components: {
        crm: { source: 'url', url: crmUrl },
        // Serves on 8080 (the wiring's "{port}"), and is ready when its log says so.
        pricing: { source: 'container', image: teamImage, port: 8080, ready: { log: 'listening' } },
        // Ready when a command run in the container exits 0 (here: its own health endpoint answers).
        mes: {
          source: 'container',
          ready: {
            command: `node -e "fetch('http://127.0.0.1:3001/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"`,
          },
        },
      },
    });
    try {
      const up = await runMesE2e(['env', 'up', '--profile', 'containers'], { cwd, env, timeoutMs: 300_000 });
      assert.equal(up.code, 0, up.stderr);
      const runId = runIdFrom(up.stderr);
      assert.match(up.stdout, new RegExp(`crm\\s+${crmUrl}`));
      assert.doesNotMatch(up.stderr, /pricing image ready/, 'the given image is used, not built');
      assert.match(up.stderr, /mes image ready/, 'the reference mes is still built');
      assert.match(up.stderr, /mes ready in .*\(command "node -e .*" exiting 0 in the container\)/);
      const status = await runMesE2e(['env', 'status', '--json'], { cwd, env });
      assert.equal(status.code, 0, status.stdout);
      const components = (
        JSON.parse(status.stdout) as {
          components: Array<{ component: string; detail: string; healthy: boolean }>;
        }
      ).components;
      assert.equal(components.find((c) => c.component === 'crm')?.detail, `answers at ${crmUrl}`);
      const image = await runCommand('docker', [
        'ps',
        '--filter',
        `label=org.mes-e2e.run-id=${runId}`,
        '--filter',
        'label=org.mes-e2e.component=pricing',
        '--format',
        '{{.Image}}',
      ]);
      assert.equal(image.stdout.trim(), teamImage);
      const ports = await runCommand('docker', [
        'ps',
        '--filter',
        `label=org.mes-e2e.run-id=${runId}`,
        '--filter',
        'label=org.mes-e2e.component=pricing',
        '--format',
        '{{.Ports}}',
      ]);
      assert.match(ports.stdout, /->8080\/tcp/, 'the port the configuration gives is published');
      assert.match(up.stderr, /pricing ready in .*\(log line "listening"\)/, up.stderr);
      assert.equal(
        components.find((c) => c.component === 'pricing')?.healthy,
        true,
        JSON.stringify(components),
      );
      assert.equal((await runMesE2e(['env', 'down'], { cwd, env })).code, 0);
      assert.equal(await leftovers(runId), '');
    } finally {
      await runMesE2e(['env', 'down'], { cwd, env });
      await team.stop();
    }
  });

  // SIGINT only: SIGTERM takes the same way out, and test/cli-run.test.ts interrupts an environment's
  // start with it (on the local profile).
  for (const signal of ['SIGINT'] as const) {
    it(`leaves nothing behind when interrupted with ${signal} during env up, and exits 130`, async () => {
      // While the broker, the database and its replica start: "starting rabbitmq, postgres and ...".
      const { child, exited, stderr, runId } = await envUpUntil(project(), 'starting rabbitmq, postgres', {
        args: ['--profile', 'containers'],
        env,
      });
      child.kill(signal);
      const code = await exited;
      assert.equal(code, 130, stderr.join('\n'));
      assert.equal(await leftovers(runId), '', `containers or network left after ${signal}`);
    });
  }

  it('leaves containers behind when killed with SIGKILL, and env prune removes them', async () => {
    const cwd = project();
    // Killed half-way: PostgreSQL is up, RabbitMQ and the services are still starting.
    const { child, exited, runId } = await envUpUntil(cwd, 'postgres ready in', {
      args: ['--profile', 'containers'],
      env,
    });
    child.kill('SIGKILL');
    await exited;
    assert.notEqual(await leftovers(runId), '', 'SIGKILL gives no chance to clean up');

    const dryRun = await runMesE2e(['env', 'prune', '--dry-run'], { cwd, env });
    assert.match(dryRun.stdout, new RegExp(`would remove ${runId} `));
    assert.notEqual(await leftovers(runId), '', 'a dry run removes nothing');
    const another = await runMesE2e(['env', 'prune', 'mes_e2e_20000101000000_000000'], { cwd, env });
    assert.match(another.stdout, /nothing to prune/);
    assert.notEqual(await leftovers(runId), '', 'a prune of another run leaves this one');
    // Named: other test files run beside this one, and the runs they leave are theirs to prune.
    const pruned = await runMesE2e(['env', 'prune', runId], { cwd, env });
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, new RegExp(`removed ${runId} \\(created .*(rabbitmq|postgres)`));
    assert.equal(await leftovers(runId), '');
  });

  it('exits 3 naming a component that never gets ready, what it waited for and its log, and removes the rest', async () => {
    // node:24-slim runs `node` with no input and exits at once: it never answers /health/ready.
    const cwd = project({
      components: { pricing: { source: 'container', image: 'node:24-slim', readyTimeoutMs: 5_000 } },
    });
    const up = await runMesE2e(['env', 'up', '--profile', 'containers'], { cwd, env, timeoutMs: 300_000 });
    assert.equal(up.code, 3, up.stdout + up.stderr);
    assert.match(
      up.stderr,
      /pricing did not get ready within 5000 ms \(waited for GET \/health\/ready on port 3002 answering 2xx\)/,
    );
    // It exits at once, and the failure says so: the readiness wait stops there instead of polling until
    // the deadline, or testcontainers' wait for the ports gave up first (src/environment/docker.test.ts).
    assert.match(up.stderr, /the container exited \(code \d+\) before it was ready/);
    assert.match(up.stderr, /last lines of pricing's log/);
    assert.match(up.stderr, /raise readyTimeoutMs/);
    assert.equal(await leftovers(runIdFrom(up.stderr)), '');
  });
});
