// A messages file the gate cannot trust is refused with a message that says what is wrong and what to do.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { compatibilityStreamPath } from '../../test/support/compatibility-kit.ts';
import { MesE2eError } from '../errors.ts';
import { GateInputError, parseMessages, readMessages } from './messages.ts';

const MINIMAL = compatibilityStreamPath('minimal');
const dir = mkdtempSync(join(tmpdir(), 'mes-e2e-gate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function fileWith(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

function refuses(file: string, problem: RegExp): void {
  assert.throws(
    () => readMessages(file),
    (error: unknown) => {
      assert.ok(error instanceof GateInputError, `not a GateInputError: ${error}`);
      assert.ok(error instanceof MesE2eError);
      assert.equal(error.kind, 'usage');
      assert.equal(error.file, file);
      assert.ok(error.message.includes(file), error.message);
      assert.match(error.message, problem);
      assert.match(error.hint, /messages file of a whole run/);
      return true;
    },
  );
}

describe('readMessages', () => {
  it('reads every envelope of a cucumber messages file', () => {
    const envelopes = readMessages(MINIMAL);
    assert.equal(envelopes.length, readFileSync(MINIMAL, 'utf8').trim().split('\n').length);
    assert.ok(envelopes[0]?.meta);
    assert.ok(envelopes.at(-1)?.testRunFinished);
  });

  it('refuses a file that does not exist', () => {
    refuses(join(dir, 'absent.ndjson'), /does not exist/);
  });

  it('refuses an empty file, and one of blank lines', () => {
    refuses(fileWith('empty.ndjson', ''), /the file is empty: the run wrote no messages/);
    refuses(fileWith('blank.ndjson', '\n  \n'), /the file is empty/);
  });

  it('refuses a file cut in the middle of its last line, naming the line and saying truncated', () => {
    const lines = readFileSync(MINIMAL, 'utf8').trimEnd().split('\n');
    const last = lines.at(-1) ?? '';
    const cut = [...lines.slice(0, -1), last.slice(0, Math.floor(last.length / 2))].join('\n');
    refuses(fileWith('truncated.ndjson', cut), new RegExp(`line ${lines.length}, the last, .*truncated`));
  });

  it('refuses a line that is not JSON in the middle of the file, naming the line', () => {
    const lines = readFileSync(MINIMAL, 'utf8').trimEnd().split('\n');
    lines.splice(2, 0, 'Error: something printed to the messages stream');
    refuses(fileWith('garbled.ndjson', lines.join('\n')), /line 3 is not JSON/);
  });

  it('refuses a line that is JSON but no envelope', () => {
    assert.throws(
      () => parseMessages('{"meta":{}}\n42\n', 'stream'),
      /line 2 is JSON but not a cucumber message envelope/,
    );
  });

  it('refuses a file without a meta message', () => {
    const withoutMeta = readFileSync(MINIMAL, 'utf8').split('\n').slice(1).join('\n');
    refuses(fileWith('no-meta.ndjson', withoutMeta), /no "meta" message.*not a cucumber messages file/);
  });

  it('accepts Windows line endings and a missing final newline', () => {
    const text = readFileSync(MINIMAL, 'utf8').trimEnd().split('\n').join('\r\n');
    assert.equal(parseMessages(text, 'crlf').length, text.split('\r\n').length);
  });
});
