// What a run left in Docker: containers and networks that carry its run-id label.
import { runCommand } from './run-cli.ts';

/** Their ids, one a line; empty when the run left nothing. */
export async function leftovers(runId: string): Promise<string> {
  const filter = `label=org.mes-e2e.run-id=${runId}`;
  const containers = await runCommand('docker', ['ps', '-aq', '--filter', filter]);
  const networks = await runCommand('docker', ['network', 'ls', '-q', '--filter', filter]);
  return (containers.stdout + networks.stdout).trim();
}
