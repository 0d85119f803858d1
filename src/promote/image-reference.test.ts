import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseImageReference, registryBaseUrl } from './image-reference.ts';

test('references are read as Docker reads them', () => {
  assert.deepEqual(parseImageReference('localhost:5055/acme/pricing:candidate', 'x'), {
    registry: 'localhost:5055',
    repository: 'acme/pricing',
    tag: 'candidate',
    digest: undefined,
  });
  const digest = `sha256:${'a'.repeat(64)}`;
  assert.deepEqual(parseImageReference(`ghcr.io/acme/mes@${digest}`, 'x'), {
    registry: 'ghcr.io',
    repository: 'acme/mes',
    tag: undefined,
    digest,
  });
  assert.equal(parseImageReference('rabbitmq:4-management', 'x').repository, 'library/rabbitmq');
  assert.equal(parseImageReference('acme/pricing', 'x').registry, 'docker.io');
});

test('a bad reference is a usage error that names what was given', () => {
  for (const bad of ['Acme/Pricing:1', 'acme/pricing@sha256:short', 'acme//pricing:1', ''])
    assert.throws(
      () => parseImageReference(bad, '--to pricing'),
      /--to pricing: ".*" is not an image reference/,
    );
});

test('loopback registries are plain HTTP, others HTTPS', () => {
  assert.equal(registryBaseUrl('localhost:5055'), 'http://localhost:5055');
  assert.equal(registryBaseUrl('127.0.0.1:5000'), 'http://127.0.0.1:5000');
  assert.equal(registryBaseUrl('ghcr.io'), 'https://ghcr.io');
  assert.equal(registryBaseUrl('docker.io'), 'https://registry-1.docker.io');
});
