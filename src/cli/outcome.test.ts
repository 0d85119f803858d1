// Every outcome has its exit code, and a verdict gives the same outcome whichever command judged it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exitCodeOf, outcomeOfVerdict } from './outcome.ts';

describe('exitCodeOf', () => {
  it('maps each outcome to the exit code README promises', () => {
    assert.deepEqual(
      (
        [
          'done',
          'promote',
          'block',
          'usage-error',
          'compromised',
          'not-ready',
          'environment-error',
          'interrupted',
        ] as const
      ).map((outcome) => [outcome, exitCodeOf(outcome)]),
      [
        ['done', 0],
        ['promote', 0],
        ['block', 1],
        ['usage-error', 2],
        ['compromised', 3],
        ['not-ready', 3],
        ['environment-error', 3],
        ['interrupted', 130],
      ],
    );
  });
});

describe('outcomeOfVerdict', () => {
  it('is compromised when the environment broke, whatever the verdict says', () => {
    assert.equal(outcomeOfVerdict({ verdict: 'BLOCK', compromised: ['crm is not ready'] }), 'compromised');
    assert.equal(outcomeOfVerdict({ verdict: 'PROMOTE', compromised: ['crm is not ready'] }), 'compromised');
  });

  it('follows the verdict otherwise', () => {
    assert.equal(outcomeOfVerdict({ verdict: 'PROMOTE', compromised: [] }), 'promote');
    assert.equal(outcomeOfVerdict({ verdict: 'BLOCK', compromised: [] }), 'block');
  });
});
