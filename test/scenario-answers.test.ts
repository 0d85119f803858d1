// A scenario's answer checks, as the World hands them to its drivers: by component, each problem once.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { JsonObject } from '../src/config/contracts.ts';
import type { HttpAnswer } from '../src/drivers/http-client.ts';
import { ScenarioAnswers } from '../steps/support/scenario-answers.ts';
import { repoRoot } from './support/run-cli.ts';

const mes = JSON.parse(readFileSync(join(repoRoot, 'services/mes/openapi.json'), 'utf8')) as JsonObject;
const answer = (status: number, body: unknown): HttpAnswer => ({
  status,
  headers: { 'content-type': 'application/json' },
  body,
  answeredAt: 0,
  elapsedMs: 1,
});
const read = { method: 'GET', path: '/api/orders/0d3c' };

describe('ScenarioAnswers', () => {
  it('keeps each problem once, saying how many more answers showed it', () => {
    const answers = new ScenarioAnswers({ mes }, (text) => text);
    const observe = answers.observerOf('mes');
    for (const _ of [1, 2, 3]) observe(read, answer(203, { error: 'x', message: 'y' }));
    observe(read, answer(500, { error: 'x', message: 'y' }));
    observe(read, answer(404, { error: 'order_not_found', message: 'no such order' }));
    assert.deepEqual(answers.violations(), [
      {
        rule: 'answer-contract',
        where: 'mes GET /api/orders/{id}',
        problem: 'status 203 is not declared (declared: 200, 404)',
        evidence: '203 {"error":"x","message":"y"} (and 2 more answers alike)',
      },
      {
        rule: 'answer-contract',
        where: 'mes GET /api/orders/{id}',
        problem: 'status 500 is not declared (declared: 200, 404)',
        evidence: '500 {"error":"x","message":"y"}',
      },
    ]);
  });

  it('checks nothing for a component without a document', () => {
    const answers = new ScenarioAnswers({ mes }, (text) => text);
    answers.observerOf('pricing')(read, answer(599, 'anything'));
    assert.deepEqual(answers.violations(), []);
  });

  it("masks the run's secrets in the evidence with the World's mask", () => {
    const answers = new ScenarioAnswers({ mes }, (text) => text.replaceAll('b2c-web-key-0123456789', '***'));
    answers.observerOf('mes')(
      read,
      answer(418, { error: 'x', message: 'key b2c-web-key-0123456789 refused' }),
    );
    assert.equal(answers.violations()[0]?.evidence, '418 {"error":"x","message":"key *** refused"}');
  });
});
