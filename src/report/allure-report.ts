// Turns a run's allure-results into the Allure HTML report with the bundled allure-commandline, which runs on Java.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MesE2eError } from '../errors.ts';

export type AllureReportOptions = {
  /** The environment Java and Allure are looked up in (PATH, JAVA_HOME) and run with; process.env when absent. */
  env?: Record<string, string | undefined>;
};

/** ~2-3 s is usual; a report that takes minutes is a hung JVM, and CI must not wait for its own timeout. */
const GENERATE_DEADLINE_MS = 120_000;
const JAVA_CHECK_DEADLINE_MS = 20_000;
const TAIL_LINES = 12;

type Finished = {
  readonly code: number | null;
  readonly output: string;
  readonly timedOut: boolean;
  readonly error?: Error;
};

export async function buildAllureReport(
  resultsDir: string,
  outDir: string,
  options: AllureReportOptions = {},
): Promise<void> {
  const env = options.env ?? process.env;
  // allure generate turns a missing directory into an empty report and exits 0.
  if (!existsSync(resultsDir)) {
    throw new MesE2eError(
      'usage',
      `no Allure results at ${resultsDir}`,
      'Run the scenarios first (mes-e2e run writes reports/<run-id>/allure-results), or give the path of that folder.',
    );
  }
  await requireJava(env, resultsDir, outDir);
  const finished = await run(allureBinary(), ['generate', resultsDir, '-o', outDir, '--clean'], {
    env,
    deadlineMs: GENERATE_DEADLINE_MS,
  });
  failIfNotGenerated(finished, resultsDir, outDir);
  await failIfResultsLost(finished, resultsDir, outDir);
}

/**
 * Allure 2 draws its trend charts from the history/ of the report before: copied into the results
 * before generating, it carries the earlier runs into this report. `previous` is that report, or the
 * run folder holding it. Resolves to the history/ carried, or undefined when the previous report had
 * none (the trend then starts with this run).
 */
export async function carryAllureHistory(previous: string, resultsDir: string): Promise<string | undefined> {
  if (!existsSync(previous)) {
    throw new MesE2eError(
      'usage',
      `no previous Allure report at ${previous}`,
      'Give the folder of the report an earlier `mes-e2e report` built (its allure-report/, or the run folder), or leave --previous out.',
    );
  }
  const history = [join(previous, 'history'), join(previous, 'allure-report', 'history')].find((dir) =>
    existsSync(dir),
  );
  if (!history) return undefined;
  await cp(history, join(resultsDir, 'history'), { recursive: true });
  return history;
}

/** Checks the same Java the allure script will use: JAVA_HOME's when set, else the one on PATH. */
async function requireJava(
  env: AllureReportOptions['env'],
  resultsDir: string,
  outDir: string,
): Promise<void> {
  const java = env?.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java';
  const finished = await run(java, ['-version'], { env, deadlineMs: JAVA_CHECK_DEADLINE_MS });
  if (finished.timedOut) {
    throw new MesE2eError(
      'environment',
      `${java} -version did not answer within ${JAVA_CHECK_DEADLINE_MS / 1000} s`,
      `Check that Java works (run \`${java} -version\`). The raw results are in ${resultsDir}.`,
    );
  }
  if (finished.error || finished.code !== 0) {
    const looked = env?.JAVA_HOME
      ? `JAVA_HOME is ${env.JAVA_HOME}, which has no working bin/java`
      : 'No java on PATH';
    throw new MesE2eError(
      'usage',
      'the Allure HTML report needs Java (17 or newer): none found',
      `${looked}. Install a Java runtime (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; ` +
        'macOS: brew install openjdk@17) or set JAVA_HOME to one, then run mes-e2e report again. ' +
        `The raw results are in ${resultsDir}; the report would go to ${outDir}.`,
      { cause: finished.error },
    );
  }
}

export function allureBinary(): string {
  try {
    const manifest = createRequire(import.meta.url).resolve('allure-commandline/package.json');
    // The shell script: it ends in `exec java`, so killing it at the deadline kills the JVM.
    return join(dirname(manifest), 'dist', 'bin', 'allure');
  } catch (error) {
    throw new MesE2eError(
      'environment',
      'allure-commandline is not installed',
      'Reinstall mes-e2e with its dependencies (npm install), then run mes-e2e report again.',
      { cause: error },
    );
  }
}

function failIfNotGenerated(finished: Finished, resultsDir: string, outDir: string): void {
  const hint = `The raw results are still in ${resultsDir}.`;
  if (finished.timedOut) {
    throw new MesE2eError(
      'environment',
      `allure generate did not finish within ${GENERATE_DEADLINE_MS / 1000} s and was stopped; its output ended with:\n${tail(finished.output)}`,
      hint,
    );
  }
  if (finished.error || finished.code !== 0 || !existsSync(join(outDir, 'index.html'))) {
    const how = finished.error
      ? `could not start (${finished.error.message})`
      : `failed (exit code ${finished.code})`;
    throw new MesE2eError(
      'environment',
      `allure generate ${how}; its output ended with:\n${tail(finished.output)}`,
      hint,
      { cause: finished.error },
    );
  }
}

/**
 * Allure skips a result file it cannot read, says so in its output and still exits 0: a report
 * that quietly lost a failed scenario would contradict the verdict. Every result, retries
 * included, becomes one file in data/test-cases.
 */
async function failIfResultsLost(finished: Finished, resultsDir: string, outDir: string): Promise<void> {
  const written = (await readdir(resultsDir)).filter((file) => file.endsWith('-result.json')).length;
  const shown = (await readdir(join(outDir, 'data', 'test-cases'))).filter((file) =>
    file.endsWith('.json'),
  ).length;
  if (shown >= written) return;
  throw new MesE2eError(
    'environment',
    `the Allure report shows ${shown} of the ${written} results in ${resultsDir}; allure said:\n${tail(finished.output)}`,
    "A result file is damaged or was written by something else: write the results again from the run's messages file.",
  );
}

/** The end of a tool's output without Java's stack frames, which bury the line that explains. */
function tail(output: string): string {
  const lines = output
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^\s+(at |\.\.\. \d+ more)/.test(line));
  return lines
    .slice(-TAIL_LINES)
    .map((line) => `  ${line.trimEnd()}`)
    .join('\n');
}

function run(
  command: string,
  args: readonly string[],
  options: { env: AllureReportOptions['env']; deadlineMs: number },
): Promise<Finished> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    const keep = (chunk: Buffer) => {
      // Only the end is ever shown; a chatty JVM must not fill memory.
      output = (output + chunk.toString('utf8')).slice(-64 * 1024);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const deadline = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.deadlineMs);
    child.on('error', (error) => {
      clearTimeout(deadline);
      resolve({ code: null, output, timedOut, error });
    });
    child.on('close', (code) => {
      clearTimeout(deadline);
      resolve({ code, output, timedOut });
    });
  });
}
