// The machine a benchmark ran on, for its results file: figures mean little without it.
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';

export function machine() {
  const docker = (() => {
    try {
      return execFileSync('docker', ['version', '-f', '{{.Server.Version}}'], { encoding: 'utf8' }).trim();
    } catch {
      return 'unavailable';
    }
  })();
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    docker,
  };
}
