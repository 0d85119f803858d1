import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MesE2eError } from '../errors.ts';
import { ephemeralRange, freePort, pinnableRange } from './ports.ts';

describe('pinned ports', () => {
  it('reads the kernel ephemeral range, and falls back to Linux default without the file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mes-e2e-ports-')), 'ip_local_port_range');
    writeFileSync(file, '40000\t50000\n');
    assert.deepEqual(ephemeralRange(file), { first: 40000, last: 50000 });
    assert.deepEqual(ephemeralRange(join(tmpdir(), 'no-such-file')), { first: 32768, last: 60999 });
  });

  it('picks below the ephemeral range, above it when there is no room below, anywhere when neither', () => {
    assert.deepEqual(pinnableRange({ first: 32768, last: 60999 }), { first: 20000, last: 32767 });
    assert.deepEqual(pinnableRange({ first: 1024, last: 40000 }), { first: 40001, last: 65535 });
    assert.deepEqual(pinnableRange({ first: 1024, last: 65000 }), { first: 1024, last: 65535 });
  });

  it('hands out distinct ports outside the ephemeral range that a listener can take on every interface', async () => {
    const { first, last } = ephemeralRange();
    const ports = await Promise.all(Array.from({ length: 30 }, () => freePort()));
    assert.equal(new Set(ports).size, ports.length, 'no port handed out twice');
    for (const port of ports) assert.ok(port < first || port > last, `${port} is in ${first}-${last}`);
    const server = createServer().listen({ port: ports[0], host: '0.0.0.0' });
    await once(server, 'listening');
    server.close();
  });

  it('never hands out a port something listens on, and says so when the range is exhausted', async () => {
    const server = createServer().listen({ port: 0, host: '127.0.0.1' });
    await once(server, 'listening');
    const address = server.address();
    assert.ok(address && typeof address === 'object');
    try {
      await assert.rejects(
        freePort({ first: address.port, last: address.port }),
        (error: unknown) =>
          error instanceof MesE2eError && error.message.includes(`${address.port}-${address.port}`),
      );
    } finally {
      server.close();
    }
  });
});
