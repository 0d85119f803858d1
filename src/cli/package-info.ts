// Reads mes-e2e's own package.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.ts';

interface PackageInfo {
  name: string;
  version: string;
  description: string;
}

export function readPackageInfo(): PackageInfo {
  const raw = readFileSync(join(packageRoot, 'package.json'), 'utf8');
  const { name, version, description } = JSON.parse(raw) as PackageInfo;
  return { name, version, description };
}
