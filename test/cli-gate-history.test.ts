// `mes-e2e gate` with memory, over five real cucumber runs of a small suite (cucumber-js with --retry,
// no environment needed) in which "Check out" passed only on a retry twice: the summary counts 2/5
// flaky, a flakyRate policy blocks it, the gate keeps its history for the next run, and a backtest
// prints one decision per stored run.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Envelope } from '@cucumber/messages';
import { identityEnvelope } from '../src/gate/run-identity.ts';
import { repoRoot, runCommand, runMesE2e } from './support/run-cli.ts';

const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
const fixtures = join(repoRoot, 'test', 'fixtures', 'history');
const cucumberJs = join(
  dirname(createRequire(import.meta.url).resolve('@cucumber/cucumber/package.json')),
  'bin',
  'cucumber-js',
);

/** In which runs Check out is flaky (it fails its first attempt, then passes on the retry). */
const FLAKY_IN = new Set([2, 4]);
const RUNS = [1, 2, 3, 4, 5];

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mes-e2e-history-'));
  mkdirSync(join(dir, 'features'));
  cpSync(join(fixtures, 'shop.feature'), join(dir, 'features', 'shop.feature'));
  writeFileSync(join(dir, 'mes-e2e.config.json'), JSON.stringify({ profile: 'local' }));
  writeFileSync(join(dir, 'flaky-rate.json'), JSON.stringify({ flakyRate: { max: 0.2, runs: 5 } }));
  return dir;
}

/**
 * One cucumber run into reports/run-<n>/messages.ndjson, named as `mes-e2e run --name` names it: the
 * run identity right after testRunStarted.
 */
async function cucumberRun(cwd: string, n: number): Promise<string> {
  const raw = join(cwd, `raw-${n}.ndjson`);
  const result = await runCommand(
    process.execPath,
    [
      cucumberJs,
      'features',
      '--import',
      join(fixtures, 'history.steps.mjs'),
      '--retry',
      '1',
      '--format',
      `message:${raw}`,
    ],
    { cwd, env: { ...env, HISTORY_FLAKY: FLAKY_IN.has(n) ? 'checkout' : '' } },
  );
  assert.equal(result.code, 0, `cucumber run ${n}: ${result.stdout}${result.stderr}`);
  const envelopes = readFileSync(raw, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line): Envelope[] => {
      const envelope = JSON.parse(line) as Envelope;
      if (!envelope.testRunStarted) return [envelope];
      const identity = { name: `run-${n}`, runId: `run-${n}`, commit: `c0ffee${n}` };
      return [envelope, identityEnvelope(identity, envelope.testRunStarted.id)];
    });
  const dir = join(cwd, 'reports', `run-${n}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'messages.ndjson'),
    envelopes.map((envelope) => `${JSON.stringify(envelope)}\n`).join(''),
  );
  return dir;
}

interface GateAnswer {
  verdict: 'PROMOTE' | 'BLOCK';
  reasons: string[];
  historyFile: string;
  history: { scenarios: Array<{ name: string; ran: number; flaky: number; passed: number; failed: number }> };
}

async function gate(cwd: string, args: readonly string[]) {
  const result = await runMesE2e(['gate', ...args], { cwd, env });
  return {
    ...result,
    answer: args.includes('--json') ? (JSON.parse(result.stdout) as GateAnswer) : undefined,
  };
}

describe('mes-e2e gate with history', { timeout: 120_000 }, () => {
  const cwd = project();
  const runs: string[] = [];
  /** Each run gated in turn, each gate given the history the one before it wrote: the CI cache. */
  const gated: GateAnswer[] = [];

  before(async () => {
    for (const n of RUNS) runs.push(await cucumberRun(cwd, n));
    for (const [index, run] of runs.entries()) {
      const history = index === 0 ? [] : ['--history', join(cwd, 'gates', `${index}`, 'history.json')];
      const out = join(cwd, 'gates', `${index + 1}`);
      const judged = await gate(cwd, [
        '--json',
        '--results',
        run,
        '--policy',
        'flaky-rate.json',
        '--out',
        out,
        ...history,
      ]);
      assert.ok(judged.answer, judged.stderr);
      gated.push(judged.answer);
    }
  });

  it('counts Check out 2/5 flaky over the five runs, and the flaky-rate rule blocks it', () => {
    assert.deepEqual(
      gated.map((answer) => answer.verdict),
      ['PROMOTE', 'PROMOTE', 'PROMOTE', 'BLOCK', 'BLOCK'],
      'one flake is within 0.2 of 5 runs; the second is not',
    );
    const last = gated.at(-1);
    assert.deepEqual(last?.reasons, [
      'scenario "Check out" (features/shop.feature) is flaky too often: 2/5 runs flaky over the last 5 runs, ' +
        'more than the policy allows (flakyRate max 0.2 of 5 runs)',
    ]);
    const checkout = last?.history.scenarios.find((scenario) => scenario.name === 'Check out');
    assert.deepEqual(
      { ran: checkout?.ran, passed: checkout?.passed, failed: checkout?.failed, flaky: checkout?.flaky },
      { ran: 5, passed: 3, failed: 0, flaky: 2 },
    );
    const summary = readFileSync(join(cwd, 'gates', '5', 'summary.md'), 'utf8');
    assert.match(summary, /^\| Check out \| features\/shop\.feature \| 3\/5 \| 0\/5 \| 2\/5 \| {2}\|$/m);
    assert.match(summary, /2 other scenarios passed in every run they were in/);
    assert.match(summary, /\*\*Since the last PROMOTE\*\* \(run-3 at c0ffee3, .*\): no scenario changed/);
  });

  it('keeps every run in the history file it writes, oldest first, with the verdicts decided', () => {
    const history = JSON.parse(readFileSync(join(cwd, 'gates', '5', 'history.json'), 'utf8')) as {
      format: string;
      runs: Array<{ name: string; commit: string; verdict: string }>;
    };
    assert.equal(history.format, 'mes-e2e-history/1');
    assert.deepEqual(
      history.runs.map(({ name, commit, verdict }) => `${name} ${commit} ${verdict}`),
      [
        'run-1 c0ffee1 PROMOTE',
        'run-2 c0ffee2 PROMOTE',
        'run-3 c0ffee3 PROMOTE',
        'run-4 c0ffee4 BLOCK',
        'run-5 c0ffee5 BLOCK',
      ],
    );
  });

  it('reads earlier runs from the folder of runs too, leaving out the run it judges', async () => {
    const judged = await gate(cwd, [
      '--json',
      '--results',
      runs[4] ?? '',
      '--history',
      'reports/',
      '--policy',
      'flaky-rate.json',
      '--out',
      'from-folders',
    ]);
    assert.equal(judged.code, 1, judged.stderr);
    assert.match(judged.answer?.reasons.join('\n') ?? '', /2\/5 runs flaky/);
    const written = JSON.parse(readFileSync(join(cwd, 'from-folders', 'gate.json'), 'utf8')) as GateAnswer;
    assert.equal(written.history.scenarios.find((scenario) => scenario.name === 'Check out')?.flaky, 2);
  });

  it('promotes the same run without the rule: flakiness over runs is only reported', async () => {
    const judged = await gate(cwd, [
      '--json',
      '--results',
      runs[4] ?? '',
      '--history',
      'reports/',
      '--out',
      'no-rule',
    ]);
    assert.equal(judged.code, 0, judged.answer?.reasons.join('\n'));
    assert.match(readFileSync(join(cwd, 'no-rule', 'summary.md'), 'utf8'), /\| Check out \| .* \| 2\/5 \|/);
  });

  it('backtests the policy: one decision per stored run, oldest first, beside the one decided then', async () => {
    const backtested = await gate(cwd, [
      '--policy',
      'flaky-rate.json',
      '--backtest',
      join('gates', '4', 'history.json'),
      'reports/',
      '--out',
      'backtest-out',
    ]);
    assert.equal(backtested.code, 0, backtested.stderr);
    const lines = backtested.stdout.split('\n').filter((line) => / run-\d /.test(line));
    assert.deepEqual(
      lines.map((line) => /run-\d/.exec(line)?.[0]),
      ['run-1', 'run-2', 'run-3', 'run-4', 'run-5'],
      backtested.stdout,
    );
    assert.match(lines[0] ?? '', /run-1 c0ffee1: would PROMOTE; then PROMOTE$/);
    assert.match(lines[3] ?? '', /run-4 c0ffee4: would BLOCK; then BLOCK$/);
    assert.match(lines[4] ?? '', /run-5 c0ffee5: would BLOCK; then unknown$/);
    assert.match(backtested.stdout, /- scenario "Check out" .* 2\/5 runs flaky/);
    assert.doesNotMatch(backtested.stdout, /compact history record/, 'every run had its messages');
    assert.ok(!existsSync(join(cwd, 'backtest-out')), 'a backtest writes nothing');
  });

  it('says when a backtest could judge a run only from its compact history record', async () => {
    const backtested = await gate(cwd, [
      '--policy',
      'flaky-rate.json',
      '--backtest',
      join('gates', '5', 'history.json'),
    ]);
    assert.equal(backtested.code, 0, backtested.stderr);
    const judgedFromRecords = backtested.stdout.match(/judged from its compact history record only/g) ?? [];
    assert.equal(judgedFromRecords.length, 5, backtested.stdout);
    assert.match(backtested.stdout, /not applied: the run itself \(started, finished, hooks/);
    assert.match(backtested.stdout, /run-5 c0ffee5: would BLOCK; then BLOCK/);
  });

  it('refuses a history file it cannot read, naming it (exit 2)', async () => {
    const broken = join(cwd, 'broken-history.json');
    writeFileSync(broken, '{"format":"mes-e2e-history/1","runs":[');
    const judged = await gate(cwd, ['--results', runs[4] ?? '', '--history', broken, '--out', 'broken']);
    assert.equal(judged.code, 2, judged.stdout);
    assert.match(
      judged.stderr,
      new RegExp(`cannot read the history file ${broken.replaceAll('/', '\\/')}: it is not JSON`),
    );
    assert.ok(!existsSync(join(cwd, 'broken')), 'nothing is written over');
  });
});
