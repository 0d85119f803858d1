// A body over the limit is answered 413 once the client has sent it: a client still writing is never
// cut off with a reset (seen as "write EPIPE" on a loaded CI machine, before the client read the 413).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createHttpApp } from './http.ts';
import { createLogger } from './logger.ts';

const mebibyte = 1024 * 1024;

/**
 * Sends the head, then the body in chunks, each after the last was taken; notes how many chunks were
 * written when the first byte of the answer arrived.
 */
async function sendInChunks(
  port: number,
  head: string,
  chunks: Buffer[],
): Promise<{ answer: string; chunksWrittenBeforeAnswer: number }> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let written = 0;
  let chunksWrittenBeforeAnswer = -1;
  const received: Buffer[] = [];
  socket.on('data', (data: Buffer) => {
    if (chunksWrittenBeforeAnswer < 0) chunksWrittenBeforeAnswer = written;
    received.push(data);
  });
  const closed = once(socket, 'close');
  socket.on('error', () => {});
  socket.write(head);
  for (const chunk of chunks) {
    if (socket.destroyed) break;
    await new Promise<void>((resolve) => socket.write(chunk, () => resolve()));
    written += 1;
  }
  socket.end();
  await closed;
  return { answer: Buffer.concat(received).toString('latin1'), chunksWrittenBeforeAnswer };
}

describe('a body over the limit', () => {
  let app: FastifyInstance;
  let port: number;
  const chunks = Array.from({ length: 8 }, () => Buffer.alloc(mebibyte / 2, 'x'));
  const length = chunks.reduce((total, chunk) => total + chunk.length, 0);

  before(async () => {
    app = createHttpApp(createLogger('http-test', 'silent'));
    app.post('/things', async () => ({ ok: true }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as net.AddressInfo).port;
  });
  after(() => app.close());

  it('is answered 413 only once the client has sent all of it (Content-Length)', async () => {
    const head = `POST /things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`;
    const { answer, chunksWrittenBeforeAnswer } = await sendInChunks(port, head, chunks);
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.equal(chunksWrittenBeforeAnswer, chunks.length, 'the answer came before the body was sent');
  });

  it('is answered 413 only once the client has sent all of it (chunked)', async () => {
    const head =
      'POST /things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    const framed = [
      ...chunks.map((chunk) =>
        Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]),
      ),
      Buffer.from('0\r\n\r\n'),
    ];
    const { answer, chunksWrittenBeforeAnswer } = await sendInChunks(port, head, framed);
    assert.match(answer, /^HTTP\/1\.1 413 /);
    assert.equal(chunksWrittenBeforeAnswer, framed.length, 'the answer came before the body was sent');
  });

  it('keeps answering requests of the right size', async () => {
    const head =
      'POST /things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n';
    const { answer } = await sendInChunks(port, head, [Buffer.from('{}')]);
    assert.match(answer, /^HTTP\/1\.1 200 /);
  });
});
