// `mes-e2e gate`: the verdict over the messages of one run or of all its shards, with the policy of
// the configuration (or --policy FILE); writes gate.json and summary.md and tells GitHub Actions.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunPlan } from '../../config/load.ts';
import { type FoundStream, latestRun } from '../../gate/latest-run.ts';
import { readMessages } from '../../gate/messages.ts';
import { evaluateResults, type GateVerdict, type ResultStream } from '../../gate/results.ts';
import { findRunIdentity } from '../../gate/run-identity.ts';
import { inGitHubActions, publishToGitHub } from '../../report/github.ts';
import { summaryMarkdown } from '../../report/summary.ts';
import { writeGateJson } from '../../report/write-reports.ts';
import { type Outcome, outcomeOfVerdict } from '../outcome.ts';
import type { Output } from '../output.ts';

export interface GateOptions {
  results: string[];
  out?: string;
  json?: boolean;
  /** Judge every run found under the folders given, not only each folder's latest run. */
  allRuns?: boolean;
}

/** Every messages.ndjson under a folder (a downloaded artifact holds one per shard). */
function messagesFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(entry.parentPath, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') return messagesFilesUnder(path);
    return entry.name === 'messages.ndjson' ? [path] : [];
  });
}

export interface GivenResults {
  streams: ResultStream[];
  /** What was left out and why, for the reader. */
  notes: string[];
}

/**
 * Reads every results path; one that cannot be read becomes a stream with its error, never a gap.
 * A folder stands for its latest run (all its shards) unless `allRuns`: reports/ keeps every run.
 */
export function readResults(cwd: string, paths: readonly string[], allRuns = false): GivenResults {
  const notes: string[] = [];
  const streams = paths.flatMap((given): ResultStream[] => {
    const path = resolve(cwd, given);
    if (!existsSync(path) || !statSync(path).isDirectory()) return [readStream(path).stream];
    const files = messagesFilesUnder(path);
    if (files.length === 0) return [{ source: given, error: `no messages.ndjson under ${path}` }];
    const found = files.map(readStream);
    if (allRuns) return found.map(({ stream }) => stream);
    const { kept, leftOut } = latestRun(found);
    if (leftOut.length > 0)
      notes.push(
        `${given} holds ${leftOut.length + 1} runs: judging the latest, leaving out ${leftOut.join(', ')} (--all-runs judges every one)`,
      );
    return kept;
  });
  return { streams, notes };
}

function readStream(file: string): FoundStream {
  try {
    const envelopes = readMessages(file);
    const started = envelopes.find((envelope) => envelope.testRunStarted)?.testRunStarted?.timestamp;
    return {
      stream: { source: file, envelopes },
      runName: findRunIdentity(envelopes)?.name,
      startedAt: started ? started.seconds * 1000 + started.nanos / 1e6 : modifiedAt(file),
    };
  } catch (error) {
    return {
      stream: { source: file, error: (error as Error).message },
      runName: undefined,
      startedAt: modifiedAt(file),
    };
  }
}

const modifiedAt = (file: string) => (existsSync(file) ? statSync(file).mtimeMs : 0);

function print(out: Output, verdict: GateVerdict): void {
  const { counts } = verdict;
  out.line(
    `${verdict.runs.length} result file(s), ${counts.scenarios} scenario(s): ${counts.passed} passed, ${counts.failed} failed, ${counts.flaky} flaky, ${counts.undefined} undefined, ${counts.pending} pending, ${counts.skipped} skipped`,
  );
  if (verdict.compromised.length > 0)
    out.line(out.color.red('the environment broke during the run: the product was not shown to be at fault'));
  out.line(verdict.verdict === 'PROMOTE' ? out.color.green.bold('PROMOTE') : out.color.red.bold('BLOCK'));
  for (const reason of verdict.reasons) out.line(`  - ${reason}`);
}

export async function gate(
  plan: RunPlan,
  io: { cwd: string; env: Readonly<Record<string, string | undefined>> },
  out: Output,
  options: GateOptions,
): Promise<Outcome> {
  const { policy } = plan;
  const given = readResults(io.cwd, options.results, options.allRuns === true);
  for (const note of given.notes) out.progress(note);
  const verdict = evaluateResults(given.streams, policy);
  const dir = options.out ? resolve(io.cwd, options.out) : join(plan.reportsDir, 'gate');
  await mkdir(dir, { recursive: true });
  const names = [...new Set(verdict.runs.flatMap((run) => (run.identity ? [run.identity.name] : [])))];
  const runName = names.join(', ') || 'unnamed';
  await writeGateJson(dir, verdict, { runId: runName });
  const summary = summaryMarkdown(verdict, { runId: runName, reportDir: dir });
  await writeFile(join(dir, 'summary.md'), summary);
  if (inGitHubActions(io.env)) {
    for (const line of publishToGitHub(verdict, summary, io.env)) out.plainErr(line);
  }
  if (options.json)
    out.json({
      verdict: verdict.verdict,
      reasons: verdict.reasons,
      counts: verdict.counts,
      budgets: verdict.budgets,
      violations: verdict.violations,
      compromised: verdict.compromised,
      runs: verdict.runs,
      out: dir,
    });
  else print(out, verdict);
  return outcomeOfVerdict(verdict);
}
