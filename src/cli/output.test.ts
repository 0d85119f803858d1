import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withoutSecrets } from './output.ts';

describe('what the CLI shows of a plan or a record', () => {
  it('names the secrets but never shows their values, keys or passwords', () => {
    const shown = JSON.stringify(
      withoutSecrets({
        secrets: { 'crm-key': 'k-123456' },
        endpoints: { secrets: { other: 'v-654321' }, apiKeys: [{ name: 'b2c-web', key: 'b2c-abcdef' }] },
        components: { crm: { url: 'http://me:pw-secret@crm.test', env: { KEY: 'k-123456' } } },
      }),
    );
    assert.doesNotMatch(shown, /k-123456|v-654321|b2c-abcdef|pw-secret/);
    assert.match(shown, /"secrets":\{"crm-key":"\*\*\*"\}/);
    assert.match(shown, /"secrets":\{"other":"\*\*\*"\}/);
  });
});
