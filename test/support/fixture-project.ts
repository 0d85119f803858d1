// A team's project made of fixture features and the fixture steps (test/fixtures/steps), in the local
// profile on the test run's broker and database: runs in seconds, with no service started.
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { infrastructureVariables } from './infrastructure.ts';
import { repoRoot } from './run-cli.ts';

const fixtures = join(repoRoot, 'test', 'fixtures');

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
    components: {
      rabbitmq: {
        source: 'url',
        url: process.env[infrastructureVariables.amqp],
        managementUrl: process.env[infrastructureVariables.management],
      },
      postgres: { source: 'url', url: process.env[infrastructureVariables.database] },
    },
  };
  writeFileSync(join(dir, 'mes-e2e.config.json'), JSON.stringify(config));
  if (options.quarantine !== undefined) writeFileSync(join(dir, 'quarantine.yml'), options.quarantine);
  return dir;
}
