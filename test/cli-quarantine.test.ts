// `mes-e2e gate` with a quarantine file, through the real executable, over the messages of a run
// whose one failing scenario is quarantined: no Docker, no environment. The entry holds until its
// last day as the run saw it; a malformed file is exit 2 naming the file and the line.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compatibilityStream } from './support/compatibility-kit.ts';
import { runMesE2e } from './support/run-cli.ts';

const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' };

/** A project folder with no configuration file, holding the messages of a run started on 2026-11-30. */
function project(quarantine: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'mes-e2e-quarantine-'));
  const seconds = Date.parse('2026-11-30T09:30:00Z') / 1000;
  // global-hooks: "A passing scenario" passes, "A failing scenario" fails.
  const messages = compatibilityStream('global-hooks').map((envelope) =>
    envelope.testRunStarted
      ? { testRunStarted: { ...envelope.testRunStarted, timestamp: { seconds, nanos: 0 } } }
      : envelope,
  );
  writeFileSync(join(dir, 'messages.ndjson'), `${messages.map((m) => JSON.stringify(m)).join('\n')}\n`);
  if (quarantine !== undefined) writeFileSync(join(dir, 'quarantine.yml'), quarantine);
  return dir;
}

const entry = (expires: string) =>
  [
    '# scenarios that may fail for now, each with an owner and a last day',
    '- scenario: A failing scenario',
    '  owner: "@alice"',
    '  reason: the failing step waits for a broker that CI shares',
    '  link: https://github.com/acme/mes/issues/412',
    `  expires: ${expires}`,
    '',
  ].join('\n');

async function gate(cwd: string, extra: readonly string[] = []) {
  const out = join(cwd, 'gate');
  const result = await runMesE2e(['gate', '--json', '--results', 'messages.ndjson', '--out', out, ...extra], {
    cwd,
    env,
  });
  const verdict = result.stdout.trim()
    ? (JSON.parse(result.stdout) as { verdict: string; reasons: string[]; counts: Record<string, number> })
    : undefined;
  return { ...result, verdict, out };
}

interface GateJson {
  quarantine: {
    file: string;
    judgedOn: string;
    max: number;
    entries: Array<{
      scenario: string;
      owner: string;
      expires: string;
      line: number;
      state: string;
      scenarios: Array<{ name: string; status: string; passed: boolean; exempt: boolean }>;
    }>;
  };
}

const gateJson = (out: string) => JSON.parse(readFileSync(join(out, 'gate.json'), 'utf8')) as GateJson;

describe('mes-e2e gate with a quarantine file', { timeout: 120_000 }, () => {
  it('promotes a run whose failure is quarantined before the entry expires, and reports it with its owner', async () => {
    const cwd = project(entry('2026-12-15'));
    const result = await gate(cwd);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.equal(result.verdict?.verdict, 'PROMOTE');
    assert.equal(result.verdict?.counts.quarantined, 1);
    const { quarantine } = gateJson(result.out);
    assert.equal(quarantine.file, join(cwd, 'quarantine.yml'));
    assert.equal(quarantine.judgedOn, '2026-11-30');
    assert.equal(quarantine.max, 5);
    assert.deepEqual(
      quarantine.entries.map(({ scenario, owner, expires, line, state, scenarios }) => ({
        scenario,
        owner,
        expires,
        line,
        state,
        scenarios: scenarios.map(({ name, status, passed, exempt }) => ({ name, status, passed, exempt })),
      })),
      [
        {
          scenario: 'A failing scenario',
          owner: '@alice',
          expires: '2026-12-15',
          line: 2,
          state: 'active',
          scenarios: [{ name: 'A failing scenario', status: 'FAILED', passed: false, exempt: true }],
        },
      ],
    );
    const summary = readFileSync(join(result.out, 'summary.md'), 'utf8');
    assert.match(summary, /FAILED, quarantined \(owner @alice, until 2026-12-15\): does not block/);
    assert.match(summary, /### Quarantine/);
  });

  it('blocks once the entry has expired, and the reason and the summary name the owner', async () => {
    const result = await gate(project(entry('2026-11-29')));
    assert.equal(result.code, 1, result.stderr);
    assert.equal(result.verdict?.verdict, 'BLOCK');
    const reasons = result.verdict?.reasons.join('\n') ?? '';
    assert.match(
      reasons,
      /"A failing scenario".*FAILED.*no longer quarantined.*owner @alice.*expires 2026-11-29/,
    );
    assert.equal(gateJson(result.out).quarantine.entries[0]?.state, 'expired');
    const summary = readFileSync(join(result.out, 'summary.md'), 'utf8');
    assert.match(summary, /quarantine expired 2026-11-29 \(owner @alice\): blocks/);
  });

  it('takes the file and the cap from --policy FILE, the file relative to the policy', async () => {
    const cwd = project(undefined);
    mkdirSync(join(cwd, 'ci', 'lists'), { recursive: true });
    writeFileSync(join(cwd, 'ci', 'lists', 'held.yml'), entry('2026-12-15'));
    const policy = join(cwd, 'ci', 'policy.json');
    writeFileSync(policy, JSON.stringify({ quarantine: { file: 'lists/held.yml', max: 0 } }));
    const result = await gate(cwd, ['--policy', policy]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.verdict?.reasons.join('\n') ?? '',
      /1 scenario is quarantined, more than the policy allows \(quarantine\.max 0\): "A failing scenario"/,
    );
  });

  it('refuses a malformed quarantine file with exit 2, naming the file and the line of each problem', async () => {
    const cwd = project(
      [
        '- scenario: A failing scenario',
        '  owner: "@alice"',
        '  reason: flaps',
        '  expires: 2026-12-15',
        '- scenario: A passing scenario',
        '  reason: flaps too',
        '  expires: 15.12.2026',
      ].join('\n'),
    );
    const result = await gate(cwd);
    assert.equal(result.code, 2, result.stderr);
    const file = join(cwd, 'quarantine.yml');
    assert.ok(result.stderr.includes(`${file}:5 (entry 2): "owner" is missing`), result.stderr);
    assert.ok(
      result.stderr.includes(`${file}:7 (entry 2): expires: expected a date YYYY-MM-DD`),
      result.stderr,
    );
    assert.match(result.stderr, /"owner", "reason" and "expires"/, 'says what an entry needs');
  });
});
