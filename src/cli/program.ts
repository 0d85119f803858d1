// The mes-e2e command line: parses argv with commander and returns an exit code; never touches process.
import { Command, CommanderError } from 'commander';
import { type LoadOptions, loadRunPlan } from '../config/load.ts';
import type { RunFlags } from '../config/run-settings.ts';
import { MesE2eError } from '../errors.ts';
import { printPlan } from './commands/config.ts';
import type { ContractsCheckOptions } from './commands/contracts.ts';
import type { Interrupts } from './commands/env.ts';
import type { PromoteOptions } from './commands/promote.ts';
import type { ExitCode } from './exit-codes.ts';
import { exitCodeOf, type Outcome } from './outcome.ts';
import { createOutput, type Output } from './output.ts';
import { readPackageInfo } from './package-info.ts';

export interface CliIo {
  argv: readonly string[];
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
  /** Whether a Docker engine answers; asked only when no profile is named. */
  dockerAnswers: () => Promise<boolean>;
  /** SIGINT/SIGTERM: the first aborts the signal, a second runs the force actions. */
  interrupts: Interrupts;
}

interface PlanOptions {
  config?: string;
  profile?: string;
  json?: boolean;
}

/** The run flags as commander gives them (`--reports` is `reports`). */
type RunOptions = Omit<RunFlags, 'paths'> & PlanOptions;

/** Options every command that needs the configuration takes. No defaults here: the file decides. */
const withPlanOptions = (command: Command) =>
  command
    .option('-c, --config <file>', 'configuration file (default: mes-e2e.config.{ts,mjs,json} found upwards)')
    .option(
      '-p, --profile <name>',
      'containers, local or staging (default: the file, else containers when Docker answers)',
    )
    .option('--json', 'machine-readable output');

export function buildProgram(io: CliIo, out: Output, setOutcome: (outcome: Outcome) => void): Command {
  const pkg = readPackageInfo();
  const plan = (options: PlanOptions, more: Partial<LoadOptions> = {}) =>
    loadRunPlan({
      cwd: io.cwd,
      env: io.env,
      configPath: options.config,
      profile: options.profile,
      dockerAnswers: io.dockerAnswers,
      ...more,
    });
  const runFlags = (paths: string[], { config, profile, json, ...flags }: RunOptions): RunFlags => ({
    ...flags,
    paths,
  });

  const program = new Command('mes-e2e')
    .description(pkg.description)
    .version(pkg.version, '-V, --version', 'print the mes-e2e version')
    .helpOption('-h, --help', 'show help for a command')
    .showHelpAfterError('(run mes-e2e --help for the commands and options)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();

  withPlanOptions(
    program.command('config').description('show the components and sources the configuration resolves to'),
  ).action(async (options: PlanOptions) => printPlan(await plan(options), out, options.json === true));

  withPlanOptions(
    program
      .command('doctor')
      .description('check that the chosen profile can run here: Node, Docker, images, URLs, browser, Java'),
  ).action(async (options: PlanOptions) => {
    const { doctor } = await import('./commands/doctor.ts'); // its probes pull in amqplib, pg, testcontainers
    const ready = await doctor(await plan(options), io.env, out, options.json === true);
    setOutcome(ready ? 'done' : 'not-ready');
  });

  const env = program
    .command('env')
    .description('an environment that stays up between runs (up, status, down)');
  withPlanOptions(
    env.command('up').description('start every component, print the endpoints, keep it running'),
  ).action(async (options: PlanOptions) => {
    const { envUp } = await import('./commands/env.ts');
    await envUp(await plan(options), out, io.interrupts, options.json === true);
  });
  withPlanOptions(env.command('status').description('show what is up and whether it is healthy')).action(
    async (options: PlanOptions) => {
      const { envStatus } = await import('./commands/env.ts');
      const healthy = await envStatus(await plan(options), out, options.json === true);
      setOutcome(healthy ? 'done' : 'not-ready');
    },
  );
  withPlanOptions(env.command('down').description('remove the environment env up started')).action(
    async (options: PlanOptions) => {
      const { envDown } = await import('./commands/env.ts');
      await envDown(await plan(options), out);
    },
  );

  withPlanOptions(
    env
      .command('prune')
      .description(
        'remove containers, networks, processes, vhosts and databases left by runs that died (their process is gone, not kept by env up)',
      )
      .argument('[run-ids...]', 'only these runs (default: every run left behind)')
      .option('--older-than <duration>', 'only runs started longer ago than this (90s, 30m, 2h)')
      .option('--dry-run', 'say what would be removed, remove nothing'),
  ).action(async (runIds: string[], options: PlanOptions & { olderThan?: string; dryRun?: boolean }) => {
    const { envPrune } = await import('./commands/env.ts');
    await envPrune(await plan(options), out, { ...options, runIds });
  });

  const withRunOptions = (command: Command) =>
    withPlanOptions(command)
      .option('-t, --tags <expression>', 'only scenarios whose tags match, e.g. "@critical and not @ui"')
      .option('--name <name>', "the run's name, the same for all its shards (default: its run id)")
      .option('--shard <i/n>', 'run shard i of n (1-based); the gate merges the shards')
      .option('--reports <dir>', 'where reports/<run-id>/ goes (default: reportsDir of the configuration)');
  const runAction =
    (smoke: boolean) =>
    async (paths: string[], options: RunOptions): Promise<void> => {
      const { run } = await import('./commands/run.ts');
      const preset = smoke ? { requiredTags: '@smoke', failFast: true, stepTimeoutMs: 20_000 } : {};
      const runPlan = await plan(options, { flags: runFlags(paths, options), preset });
      setOutcome(await run(runPlan, io, out, io.interrupts, options.json === true));
    };
  withRunOptions(
    program
      .command('run')
      .description('bring the environment up (or reuse env up), run the scenarios, report, give the verdict')
      .argument('[paths...]', 'feature files or folders (default: the suite mes-e2e ships)')
      .option('--parallel <n>', 'scenarios at a time (default 1); @destructive ones always run alone')
      .option(
        '--retry <n>',
        'attempts after a failure (default 0); a scenario that passes on a retry is flaky',
      )
      .option('--fail-fast', 'stop at the first failure')
      .option(
        '--max-failures <n>',
        'stop starting scenarios after n have failed (default 5; 0: run every scenario)',
      ),
  ).action(runAction(false));
  withRunOptions(
    program
      .command('smoke')
      .description('the @smoke scenarios, fail-fast with tight deadlines: for a developer before pushing')
      .argument('[paths...]', 'feature files or folders (default: the suite mes-e2e ships)')
      .option('--parallel <n>', 'scenarios at a time (default 1)'),
  ).action(runAction(true));
  withPlanOptions(
    program
      .command('list')
      .description('the scenarios a run would pick, with their tags and files, without running them')
      .argument(
        '[paths...]',
        "feature files or folders (default: the configuration's, else the shipped suite)",
      )
      .option('-t, --tags <expression>', 'only scenarios whose tags match')
      .option('--shard <i/n>', 'only shard i of n'),
  ).action(async (paths: string[], options: RunOptions) => {
    const { list } = await import('./commands/run.ts');
    await list(await plan(options, { flags: runFlags(paths, options) }), out, options.json === true);
  });

  program
    .command('gate')
    .description(
      'the verdict over the messages of a run or of all its shards: PROMOTE (exit 0), BLOCK (exit 1), or compromised (exit 3)',
    )
    .option(
      '-r, --results <paths...>',
      'messages.ndjson files, or folders holding them (one per shard); required unless --backtest',
    )
    .option('--policy <file>', "a JSON policy that replaces the configuration's keys it names")
    .option('-c, --config <file>', 'configuration file (for its policy and reportsDir)')
    .option('--out <dir>', 'where gate.json, summary.md and history.json go (default: reports/gate)')
    .option(
      '--all-runs',
      "every run under the folders given (default: each folder's latest run, all its shards)",
    )
    .option(
      '--history <paths...>',
      'earlier runs: the history.json an earlier gate wrote, and/or folders (or messages files) of runs; adds pass/fail/flaky counts, failing streaks, change since the last PROMOTE and the flakyRate rule',
    )
    .option(
      '--backtest <paths...>',
      'instead of judging a run: what this policy would have decided for each stored run (history.json, folders of runs), oldest first; writes nothing',
    )
    .option('--json', 'machine-readable output')
    .action(
      async (
        options: PlanOptions & {
          results?: string[];
          policy?: string;
          out?: string;
          allRuns?: boolean;
          history?: string[];
          backtest?: string[];
        },
      ) => {
        const { gate } = await import('./commands/gate.ts');
        setOutcome(await gate(await plan(options, { policyFile: options.policy }), io, out, options));
      },
    );

  program
    .command('promote')
    .description(
      'tag production with exactly the images a PROMOTE verdict tested (OCI registry): exit 0 promoted, 1 refused, 2 bad input, 3 compromised run or registry problem',
    )
    .requiredOption('--verdict <gate.json>', 'the verdict of mes-e2e gate (or run)')
    .requiredOption(
      '--to <component=image:tag...>',
      'the production tag of each component to promote, in the registry it ran from (repeat per component)',
    )
    .option('--commit <sha>', 'the commit being released; the verdict must be for it (default: GITHUB_SHA)')
    .option('--dry-run', 'check everything and say what would be tagged, tag nothing')
    .option('--json', 'machine-readable output')
    .action(async (options: PromoteOptions) => {
      const { promoteCommand } = await import('./commands/promote.ts');
      setOutcome(await promoteCommand(options, io, out));
    });

  program
    .command('contracts')
    .description("the pipeline's OpenAPI and AsyncAPI documents")
    .command('check')
    .description(
      'lint the OpenAPI and AsyncAPI documents and, given their previous versions, list the breaking changes: exit 1 on a lint error or on a breaking change without a new major info.version',
    )
    .argument('[files...]', "documents to check (default: the configuration's contracts)")
    .option('-c, --config <file>', 'configuration file (for its contracts)')
    .option('--previous <file>', 'the previous version of the one document given')
    .option(
      '--since <git-ref>',
      'compare each document with its version at this git revision (one that did not exist then is new)',
    )
    .option('--json', 'machine-readable output')
    .action(async (files: string[], options: ContractsCheckOptions) => {
      const { contractsCheck } = await import('./commands/contracts.ts'); // the parsers and Spectral are slow to load
      setOutcome(await contractsCheck(files, options, io.cwd, out));
    });

  program
    .command('report')
    .description(
      'build the Allure HTML report of a run (needs Java), or with --single-file its report.html; the latest run by default',
    )
    .argument('[run]', "a run folder, reports/<run-id>, or a gate's --out folder (default: reports/latest)")
    .option('-c, --config <file>', 'configuration file (for reportsDir)')
    .option(
      '--single-file',
      'write report.html instead: one self-contained page (no Java, no server, no network) with the verdict, every scenario and its journeys',
    )
    .option('--open', 'serve the report to a browser until interrupted')
    .option(
      '--previous <dir>',
      "the previous Allure report (or the run folder holding it): its history/ fills this report's trend charts",
    )
    .option('--json', 'machine-readable output (with --single-file)')
    .action(
      async (
        run: string | undefined,
        options: PlanOptions & { open?: boolean; previous?: string; singleFile?: boolean },
      ) => {
        const { report } = await import('./commands/report.ts');
        await report(await plan(options), io.cwd, out, {
          run,
          open: options.open === true,
          previous: options.previous,
          singleFile: options.singleFile === true,
          json: options.json === true,
          env: io.env,
          signal: io.interrupts.signal,
        });
      },
    );

  return program;
}

/** Runs the CLI for the given argv (without the node and script entries) and resolves to its exit code. */
export async function runCli(io: CliIo): Promise<ExitCode> {
  return exitCodeOf(await outcomeOfCli(io));
}

async function outcomeOfCli(io: CliIo): Promise<Outcome> {
  const out = createOutput(io);
  let outcome: Outcome = 'done';
  const program = buildProgram(io, out, (ended) => {
    outcome = ended;
  });
  try {
    if (io.argv.length === 0) {
      program.outputHelp();
      return 'done';
    }
    await program.parseAsync([...io.argv], { from: 'user' });
    return outcome;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 'done' : 'usage-error';
    if (error instanceof MesE2eError) {
      out.problem(error);
      if (io.interrupts.signal.aborted) return 'interrupted';
      return error.kind === 'environment' ? 'environment-error' : 'usage-error';
    }
    throw error;
  }
}
