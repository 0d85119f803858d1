// A breaking change passes only under a greater major number of info.version.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isNewMajorVersion, majorOf } from './api-version.ts';

describe('info.version', () => {
  it('its major number, from semantic versions and v-prefixed ones', () => {
    assert.equal(majorOf('1.4.2'), 1);
    assert.equal(majorOf('v2'), 2);
    assert.equal(majorOf('3.0.0-beta.1'), 3);
    assert.equal(majorOf('2024-05-01'), 2024);
    assert.equal(majorOf('latest'), undefined);
    assert.equal(majorOf(undefined), undefined);
  });

  it('a new major version only when the major number went up', () => {
    assert.equal(isNewMajorVersion('1.9.0', '2.0.0'), true);
    assert.equal(isNewMajorVersion('1.0.0', '1.1.0'), false);
    assert.equal(isNewMajorVersion('2.0.0', '1.0.0'), false);
    assert.equal(isNewMajorVersion('1.0.0', 'latest'), false);
    assert.equal(isNewMajorVersion(undefined, '2.0.0'), false);
  });
});
