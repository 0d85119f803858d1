// The answer contract's end of a scenario: what its drivers' answers broke (steps/support/scenario-answers.ts
// checks them as they come) attached to it as one violations record that the gate reads. The scenario may
// pass; the run still blocks.
import { After } from '@cucumber/cucumber';
import { type ViolationsBody, violationsMediaType } from '../../src/contracts/violations.ts';
import type { MesWorld } from './world.ts';

// Registered before every other After hook (steps/index.ts imports this file first), so it runs after
// them: the answers the journey and the diagnosis read at the end of a scenario are checked too.
After(async function (this: MesWorld) {
  const violations = this.answerContract.violations();
  if (violations.length === 0) return;
  await this.attach(JSON.stringify({ violations } satisfies ViolationsBody), {
    mediaType: violationsMediaType,
    fileName: 'violations.json',
  });
});
