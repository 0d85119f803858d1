// The worker's side of stopping early (src/runner/early-stop.ts): once the run has written its note,
// a scenario not started yet is skipped, and says why in its own messages. The first Before hook
// registered, so a skipped scenario opens no bus observer, browser or connection.
import { existsSync, readFileSync } from 'node:fs';
import { Before } from '@cucumber/cucumber';
import { notRunMediaType } from '../../src/gate/not-run.ts';
import type { MesWorld } from './world.ts';

Before(async function (this: MesWorld) {
  const { stopFile } = this.parameters;
  if (!stopFile || !existsSync(stopFile)) return undefined;
  await this.attach(readFileSync(stopFile, 'utf8'), { mediaType: notRunMediaType, fileName: 'not-run.json' });
  return 'skipped';
});
