import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { eventually } from '../wait/eventually.ts';
import { createComponentLogs } from './component-logs.ts';

describe('component logs', () => {
  it('masks a secret even when it arrives split across two chunks, in the file and in the tail', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mes-e2e-logs-'));
    const logs = createComponentLogs(dir, ['s3cr3t-password']);
    const stream = new PassThrough();
    logs.consumer('crm')(stream);
    stream.write('connecting to amqp://mes:s3cr3t-');
    stream.write('password@rabbitmq:5672\nready\npartial line without newline');
    stream.end();
    await once(stream, 'end');
    assert.equal(logs.tail('crm', 2), 'ready\npartial line without newline');
    assert.match(logs.tail('crm'), /amqp:\/\/mes:\*\*\*@rabbitmq:5672/);
    // The file stream finishes asynchronously: wait until the last line has landed.
    const file = join(dir, 'crm.log');
    const text = await eventually(
      () => {
        const written = readFileSync(file, 'utf8');
        return written.endsWith('partial line without newline\n') ? written : undefined;
      },
      { within: 5_000, description: 'log file flushed' },
    );
    assert.doesNotMatch(text, /s3cr3t/);
    assert.equal(text, 'connecting to amqp://mes:***@rabbitmq:5672\nready\npartial line without newline\n');
  });

  it('says so when a component wrote nothing', () => {
    const logs = createComponentLogs(mkdtempSync(join(tmpdir(), 'mes-e2e-logs-')), []);
    assert.equal(logs.tail('mes'), '(it wrote nothing)');
  });
});
