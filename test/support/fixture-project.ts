// Projects for tests that run the real executable, in the local profile on the test run's broker and
// database: the reference stack (its services as processes, faults switched on by their variables),
// or a team's project of fixture features and the fixture steps (test/fixtures/steps).
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { infrastructureVariables } from './infrastructure.ts';
import { repoRoot } from './run-cli.ts';

const fixtures = join(repoRoot, 'test', 'fixtures');

const sharedInfrastructure = () => ({
  rabbitmq: {
    source: 'url',
    url: process.env[infrastructureVariables.amqp],
    managementUrl: process.env[infrastructureVariables.management],
  },
  postgres: { source: 'url', url: process.env[infrastructureVariables.database] },
});

/** The reference stack with the configuration's other keys and components (e.g. a service's env). */
export function referenceProject(
  extra: { components?: Record<string, unknown>; [key: string]: unknown } = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), 'mes-e2e-run-'));
  const config = {
    ...extra,
    profile: 'local',
    components: { ...sharedInfrastructure(), ...extra.components },
  };
  writeFileSync(join(dir, 'mes-e2e.config.json'), JSON.stringify(config));
  return dir;
}

/** A project of this configuration alone (or none): the shipped suite, on the profile it names. */
export function configuredProject(config?: unknown, prefix = 'mes-e2e-project-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (config) writeFileSync(join(dir, 'mes-e2e.config.json'), JSON.stringify(config));
  return dir;
}

/** A team's project: one fixture feature, the fixture steps, an optional quarantine file. */
export function fixtureProject(
  /** A file of test/fixtures/gate/. */
  feature: string,
  options: { quarantine?: string; prefix?: string } = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), options.prefix ?? 'mes-e2e-project-'));
  // The team's layout: features beside the configuration, named relative to it in every report.
  mkdirSync(join(dir, 'features'));
  cpSync(join(fixtures, 'gate', feature), join(dir, 'features', feature));
  const config = {
    profile: 'local',
    features: ['features'],
    steps: [join(fixtures, 'steps', '*.ts')],
    components: sharedInfrastructure(),
  };
  writeFileSync(join(dir, 'mes-e2e.config.json'), JSON.stringify(config));
  if (options.quarantine !== undefined) writeFileSync(join(dir, 'quarantine.yml'), options.quarantine);
  return dir;
}
