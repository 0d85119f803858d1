// The quarantine file: entries with their lines, and every mistake refused with the file and the line.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigurationError } from '../errors.ts';
import { parseQuarantine, readQuarantineFile } from './quarantine-file.ts';

const FILE = '/team/quarantine.yml';

function problemsOf(text: string): string[] {
  try {
    parseQuarantine(text, FILE);
  } catch (error) {
    assert.ok(error instanceof ConfigurationError, `${error}`);
    assert.equal(error.file, FILE);
    assert.match(error.hint, /owner.*reason.*expires/);
    return [...error.problems];
  }
  assert.fail('the file was accepted');
}

describe('parseQuarantine', () => {
  it('reads entries by scenario or tag, each with the line it starts on', () => {
    const entries = parseQuarantine(
      [
        '# pricing is being rewritten',
        '- scenario: Pricing answers within budget',
        '  owner: "@alice"',
        '  reason: p95 flaps on shared runners',
        '  link: https://github.com/acme/mes/issues/412',
        '  expires: 2026-12-31',
        '',
        '- tag: "@payments-flaky"',
        '  owner: team-payments',
        '  reason: the sandbox times out',
        '  expires: 2027-01-15',
      ].join('\n'),
      FILE,
    );
    assert.deepEqual(entries, [
      {
        scenario: 'Pricing answers within budget',
        owner: '@alice',
        reason: 'p95 flaps on shared runners',
        link: 'https://github.com/acme/mes/issues/412',
        expires: '2026-12-31',
        line: 2,
      },
      {
        tag: '@payments-flaky',
        owner: 'team-payments',
        reason: 'the sandbox times out',
        expires: '2027-01-15',
        line: 8,
      },
    ]);
  });

  it('reads an empty file, or one with comments only, as nothing quarantined', () => {
    assert.deepEqual(parseQuarantine('', FILE), []);
    assert.deepEqual(parseQuarantine('# nothing in quarantine, well done\n', FILE), []);
  });

  it('names the line of an unknown key, and of an entry missing a key, and says what the key is for', () => {
    const problems = problemsOf(
      [
        '- scenario: a',
        '  owner: "@alice"',
        '  reason: r',
        '  expires: 2026-12-31',
        '- scenario: b',
        '  reason: r',
        '  expiry: 2026-12-31',
      ].join('\n'),
    );
    assert.deepEqual(problems.toSorted(), [
      `${FILE}:5 (entry 2): "expires" is missing: the last day it holds, e.g. expires: 2026-12-31`,
      `${FILE}:5 (entry 2): "owner" is missing: who will fix it, e.g. owner: "@alice"`,
      `${FILE}:7 (entry 2): unknown key "expiry"; the keys are scenario, tag, owner, reason, link, expires`,
    ]);
  });

  it('refuses a date that is not YYYY-MM-DD or not in the calendar, on its line', () => {
    const problems = problemsOf(
      [
        '- scenario: a',
        '  owner: o',
        '  reason: r',
        '  expires: 31/12/2026',
        '- scenario: b',
        '  owner: o',
        '  reason: r',
        '  expires: 2026-02-30',
      ].join('\n'),
    );
    assert.deepEqual(problems, [
      `${FILE}:4 (entry 1): expires: expected a date YYYY-MM-DD, found "31/12/2026"`,
      `${FILE}:8 (entry 2): expires: not a day of the calendar, found "2026-02-30"`,
    ]);
  });

  it('wants exactly one of scenario and tag', () => {
    const both = problemsOf('- scenario: a\n  tag: "@x"\n  owner: o\n  reason: r\n  expires: 2026-12-31\n');
    assert.match(both.join('\n'), /:1 \(entry 1\): expected exactly one of "scenario".*or "tag"/);
    const neither = problemsOf('- owner: o\n  reason: r\n  expires: 2026-12-31\n');
    assert.match(neither.join('\n'), /:1 \(entry 1\): expected exactly one of "scenario"/);
  });

  it('refuses YAML it cannot parse, on the line (an unquoted @tag is the usual one), and a file that is not a list', () => {
    const unquoted = problemsOf('- tag: "@a"\n  owner: o\n  reason: r\n  expires: 2026-12-31\n- tag: @b\n');
    assert.match(unquoted[0] ?? '', new RegExp(`^${FILE}:5: not valid YAML: .*`));
    assert.match(problemsOf('scenario: a\nowner: o\n').join('\n'), /:1: expected a list of entries/);
  });
});

describe('readQuarantineFile', () => {
  it('reads a missing default file as nothing quarantined, but refuses a missing file the policy names', () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'mes-e2e-quarantine-')), 'quarantine.yml');
    assert.deepEqual(readQuarantineFile(missing, false), []);
    assert.throws(() => readQuarantineFile(missing, true), /does not exist/);
  });
});
