// Reads mes-e2e's own package.json, which sits two levels above both src/cli and dist/cli.
import { readFileSync } from 'node:fs';

interface PackageInfo {
  name: string;
  version: string;
  description: string;
}

export function readPackageInfo(): PackageInfo {
  const raw = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const { name, version, description } = JSON.parse(raw) as PackageInfo;
  return { name, version, description };
}
