// Benchmark of the harness itself, on the containers profile, in one run: cold and warm `smoke`, a
// cold full `run --parallel 2`, the environment's start against its slowest component, and the
// harness's overhead over plain cucumber-js running the same scenarios on the same environment, and
// the time to BLOCK a build broken early (pricing never answers), stopping early and running everything.
// Not a test: it prints a table and writes bench/results.json, and asserts nothing.
//   npm run bench              (npm run bench -- --repeat 9 for more samples; 5 by default)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadRunPlan } from '../src/config/load.ts';
import { shippedStepsModule } from '../src/config/selection.ts';
import { contractRules } from '../src/contracts/violations.ts';
import { worldParametersOf } from '../src/runner/world-parameters.ts';
import { machine } from './machine.ts';

const { values: args } = parseArgs({
  options: {
    repeat: { type: 'string', default: '5' },
    // The broken build run to its end takes a quarter of an hour: once measured, it may be left out.
    'skip-broken-to-the-end': { type: 'boolean', default: false },
  },
});
const repeat = Number(args.repeat);
const root = fileURLToPath(new URL('../', import.meta.url));
const bin = join(root, 'bin', 'mes-e2e');
const cucumberBin = join(root, 'node_modules', '@cucumber', 'cucumber', 'bin', 'cucumber.js');
const env = { ...process.env, NO_COLOR: '1' };

interface Timed {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

function timed(file: string, argv: readonly string[], cwd: string): Promise<Timed> {
  const began = performance.now();
  const child = spawn(file, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) =>
    child.on('exit', (code) => resolve({ ms: performance.now() - began, code, stdout, stderr })),
  );
}

const mesE2e = (argv: readonly string[], cwd: string) => timed(process.execPath, [bin, ...argv], cwd);

function checked(what: string, result: Timed): Timed {
  if (result.code !== 0) {
    throw new Error(
      `${what} exited ${result.code}:\n${result.stderr.slice(-2000)}\n${result.stdout.slice(-1000)}`,
    );
  }
  return result;
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const spread = (values: readonly number[]) =>
  `${(Math.min(...values) / 1000).toFixed(1)}-${seconds(Math.max(...values))}`;

/** Each component's own "ready in X s" from env up's progress, and the environment's total. */
function startTimes(stderr: string) {
  const own = Object.fromEntries(
    [...stderr.matchAll(/(\w+) ready in (\d+\.\d) s/g)].map((m) => [m[1] ?? '', Number(m[2]) * 1000]),
  );
  const total = Number(/is up after (\d+\.\d) s/.exec(stderr)?.[1] ?? Number.NaN) * 1000;
  return { own, total };
}

const project = () => mkdtempSync(join(tmpdir(), 'mes-e2e-bench-'));

/** A build broken early: the reference pricing acks every request and never answers (PRICING_FAULT=drop-all). */
function brokenBuild(): string {
  const dir = project();
  const config = { components: { pricing: { source: 'container', env: { PRICING_FAULT: 'drop-all' } } } };
  writeFileSync(join(dir, 'mes-e2e.config.json'), JSON.stringify(config));
  return dir;
}

/** A cold full run of the broken build: it must BLOCK (exit 1); how long that took. */
async function timeToBlock(extra: readonly string[]): Promise<Timed> {
  const argv = ['run', '--profile', 'containers', '--parallel', '2', ...extra];
  const result = await mesE2e(argv, brokenBuild());
  if (result.code !== 1)
    throw new Error(`the broken build did not BLOCK (exit ${result.code}):\n${result.stderr.slice(-2000)}`);
  return result;
}
console.log('cold smoke (no environment up)...');
const coldSmoke = checked('cold smoke', await mesE2e(['smoke', '--profile', 'containers'], project()));

// The services start beside the broker and database and wait for them, so their "ready in" holds
// that wait: the slowest component is the slowest of RabbitMQ and PostgreSQL. (A service alone, once
// its dependencies are up, takes 2-3 s here: well below RabbitMQ.)
const infrastructure = ['rabbitmq', 'postgres'];
const slowestOf = (start: ReturnType<typeof startTimes>) =>
  Math.max(...infrastructure.map((name) => start.own[name] ?? Number.NaN));

// Several environment starts (the last one kept up for the warm measurements): one start is noisy.
console.log(`env up x${repeat}...`);
const starts: Array<ReturnType<typeof startTimes>> = [];
let warm = '';
for (let i = 0; i < repeat; i += 1) {
  warm = project();
  const up = checked('env up', await mesE2e(['env', 'up', '--profile', 'containers'], warm));
  starts.push(startTimes(up.stdout + up.stderr));
  if (i < repeat - 1) checked('env down', await mesE2e(['env', 'down'], warm));
}
const ratios = starts.map((start) => start.total / slowestOf(start));
const start = starts[ratios.indexOf(median(ratios))];
if (!start) throw new Error('no environment start measured (--repeat must be at least 1)');
const slowest = slowestOf(start);

try {
  console.log(`warm smoke x${repeat}...`);
  const warmSmoke: number[] = [];
  for (let i = 0; i < repeat; i += 1) warmSmoke.push(checked('warm smoke', await mesE2e(['smoke'], warm)).ms);

  // The same scenarios, support code and environment, through cucumber-js's own command line.
  const record = readFileSync(join(warm, 'reports', 'env', 'current.json'), 'utf8');
  const plan = await loadRunPlan({ cwd: warm, env, profile: 'containers', dockerAnswers: async () => true });
  const selection = ['--tags', 'not @destructive'];
  console.log(`warm run (not @destructive) x${repeat}, mes-e2e and plain cucumber-js...`);
  const harness: number[] = [];
  const plain: number[] = [];
  const unchecked: number[] = [];
  // The same run with every check on the wire switched off: what watching and checking the bus costs.
  const noWireChecks = join(warm, 'no-wire-checks.config.json');
  writeFileSync(
    noWireChecks,
    JSON.stringify({ policy: { rules: Object.fromEntries(contractRules.map((rule) => [rule, false])) } }),
  );
  const checkedRun: number[] = [];
  // The wire pair runs as the full run does in CI (--parallel 2): the scenarios in workers, the
  // watch in the main process.
  const runHarness = async () => {
    harness.push(checked('mes-e2e run', await mesE2e(['run', ...selection], warm)).ms);
    const parallel = [...selection, '--parallel', '2'];
    checkedRun.push(checked('mes-e2e run --parallel 2', await mesE2e(['run', ...parallel], warm)).ms);
    unchecked.push(
      checked(
        'mes-e2e run --parallel 2, no wire checks',
        await mesE2e(['run', ...parallel, '--config', noWireChecks], warm),
      ).ms,
    );
  };
  const runPlain = async () => {
    const cucumber = await timed(
      process.execPath,
      [
        cucumberBin,
        join(root, 'features'),
        '--import',
        shippedStepsModule,
        '--world-parameters',
        JSON.stringify(worldParametersOf(plan, JSON.parse(record), join(warm, 'reports', 'plain'))),
        '--format',
        'summary',
        ...selection,
      ],
      root,
    );
    plain.push(checked('plain cucumber-js', cucumber).ms);
  };
  // Alternating which goes first, so that a drift of the machine weighs on both alike.
  for (let i = 0; i < repeat; i += 1) {
    const pair = i % 2 === 0 ? [runHarness, runPlain] : [runPlain, runHarness];
    for (const run of pair) await run();
  }

  await mesE2e(['env', 'down'], warm);
  console.log('cold full run --parallel 2...');
  const coldRun = checked(
    'cold run',
    await mesE2e(['run', '--profile', 'containers', '--parallel', '2'], project()),
  );

  console.log('broken build (pricing never answers), cold, --parallel 2: stopping early...');
  const blockedEarly = await timeToBlock([]);
  let blockedAtEnd: Timed | undefined;
  if (!args['skip-broken-to-the-end']) {
    console.log('broken build, every scenario (--max-failures 0, as before early stops)...');
    blockedAtEnd = await timeToBlock(['--max-failures', '0']);
  }

  const overhead = (median(harness) - median(plain)) / median(plain);
  const wireCost = (median(checkedRun) - median(unchecked)) / median(unchecked);
  const rows: Array<[string, string, string]> = [
    ['cold smoke (environment started and removed)', seconds(coldSmoke.ms), ''],
    ['warm smoke (after env up), median', seconds(median(warmSmoke)), 'target < 5 s'],
    ['cold full run --parallel 2', seconds(coldRun.ms), 'target < 3 min'],
    [
      'broken build: time to BLOCK, stopping early / every scenario',
      `${seconds(blockedEarly.ms)} / ${blockedAtEnd ? seconds(blockedAtEnd.ms) : 'not measured'}`,
      'minutes, not a quarter of an hour',
    ],
    [
      'environment start / slowest component, median',
      `${seconds(start.total)} / ${seconds(slowest)} = ${(start.total / slowest).toFixed(2)}x`,
      'target <= 1.3x',
    ],
    [
      'warm run (not @destructive): mes-e2e / plain cucumber-js',
      `${seconds(median(harness))} / ${seconds(median(plain))} = ${(overhead * 100).toFixed(0)}% overhead (${spread(harness)} / ${spread(plain)})`,
      'target < 10%',
    ],
    [
      'warm run --parallel 2 (not @destructive): wire checks on / off',
      `${seconds(median(checkedRun))} / ${seconds(median(unchecked))} = ${(wireCost * 100).toFixed(0)}% for the checks (${spread(checkedRun)} / ${spread(unchecked)})`,
      'target < 10%',
    ],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  console.log('');
  for (const [name, value, target] of rows)
    console.log(`${name.padEnd(width)}  ${value.padEnd(60)}  ${target}`);
  const results = {
    measuredAt: new Date().toISOString(),
    machine: machine(),
    repeat,
    coldSmokeMs: Math.round(coldSmoke.ms),
    warmSmokeMs: warmSmoke.map(Math.round),
    coldFullRunParallel2Ms: Math.round(coldRun.ms),
    brokenBuildTimeToBlockMs: {
      stoppingEarly: Math.round(blockedEarly.ms),
      everyScenario: blockedAtEnd ? Math.round(blockedAtEnd.ms) : null,
    },
    environment: {
      totalMs: start.total,
      componentMs: start.own,
      ratioToSlowest: start.total / slowest,
      ratios,
    },
    warmRun: {
      harnessMs: harness.map(Math.round),
      plainCucumberMs: plain.map(Math.round),
      overhead,
      parallel2Ms: checkedRun.map(Math.round),
      parallel2NoWireChecksMs: unchecked.map(Math.round),
      wireChecksCost: wireCost,
    },
  };
  writeFileSync(join(root, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwritten: bench/results.json (${results.machine.cpu}, ${results.machine.cores} cores)`);
} finally {
  await mesE2e(['env', 'down'], warm);
}
