// A reference service with missing or malformed configuration stops at once with one line naming the variable.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { repoRoot, runCommand } from './support/run-cli.ts';

const start = (service: string, env: Record<string, string>) =>
  runCommand(process.execPath, [`services/${service}/src/server.ts`], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    timeoutMs: 20_000,
  });

const valid = {
  DATABASE_URL: 'postgres://u:p@127.0.0.1:1/db',
  AMQP_URL: 'amqp://u:p@127.0.0.1:1/vhost',
  CRM_API_KEYS: JSON.stringify([{ name: 'web', key: 'a-key-of-sixteen-chars', segment: 'b2c' }]),
};

describe('service configuration', () => {
  const cases: Array<[string, string, Record<string, string>, RegExp]> = [
    [
      'crm',
      'a missing DATABASE_URL',
      { ...valid, DATABASE_URL: '' },
      /^crm: configuration error: DATABASE_URL: is required/,
    ],
    [
      'crm',
      'an AMQP_URL that is not amqp',
      { ...valid, AMQP_URL: 'http://x' },
      /AMQP_URL: expected a amqp: or amqps: URL/,
    ],
    ['crm', 'CRM_API_KEYS that is not JSON', { ...valid, CRM_API_KEYS: '[{' }, /CRM_API_KEYS: expected JSON/],
    [
      'crm',
      'an API key that is too short',
      { ...valid, CRM_API_KEYS: JSON.stringify([{ name: 'web', key: 'short', segment: 'b2c' }]) },
      /CRM_API_KEYS: \/0\/key/,
    ],
    [
      'mes',
      'a PORT that is not a port',
      { ...valid, PORT: '70000' },
      /PORT: expected an integer from 0 to 65535, got "70000"/,
    ],
    [
      'pricing',
      'a PRICING_COST_MS that is not a number',
      { ...valid, PRICING_COST_MS: 'slow' },
      /PRICING_COST_MS/,
    ],
  ];
  for (const [service, what, env, expected] of cases) {
    it(`${service} stops with exit 1 and one line for ${what}`, async () => {
      const result = await start(service, env);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      const lines = result.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line, got:\n${result.stderr}`);
      assert.match(lines[0] ?? '', expected);
      assert.doesNotMatch(result.stderr, /a-key-of-sixteen-chars|u:p@/, 'no secret in the message');
    });
  }
});
