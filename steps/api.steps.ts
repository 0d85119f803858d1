// The CRM's HTTP contract as a third party meets it: status codes, headers, error bodies.
import assert from 'node:assert/strict';
import { Then } from '@cucumber/cucumber';
import type { MesWorld } from './support/world.ts';

const answer = (world: MesWorld) =>
  world.lastAnswer ?? assert.fail('no request was made in this scenario yet');

Then('the CRM answers {int}', function (this: MesWorld, status: number) {
  const last = answer(this);
  assert.equal(last.status, status, `CRM status; body: ${JSON.stringify(last.body).slice(0, 300)}`);
});
