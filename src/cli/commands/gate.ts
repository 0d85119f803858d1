// `mes-e2e gate`: the verdict over the messages of one run or of all its shards, with the policy of
// the configuration (or --policy FILE); writes gate.json and summary.md and tells GitHub Actions.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunPlan } from '../../config/load.ts';
import { describeIssues, withPolicy } from '../../config/load.ts';
import { PolicyConfig } from '../../config/schema.ts';
import { ConfigurationError } from '../../errors.ts';
import { readMessages } from '../../gate/messages.ts';
import type { Policy } from '../../gate/policy.ts';
import { evaluateResults, type GateVerdict, type ResultStream } from '../../gate/results.ts';
import { inGitHubActions, publishToGitHub } from '../../report/github.ts';
import { summaryMarkdown } from '../../report/summary.ts';
import { writeGateJson } from '../../report/write-reports.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Output } from '../output.ts';

export interface GateOptions {
  results: string[];
  policy?: string;
  out?: string;
  json?: boolean;
}

/** Every messages.ndjson under a folder (a downloaded artifact holds one per shard). */
function messagesFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(entry.parentPath, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules') return messagesFilesUnder(path);
    return entry.name === 'messages.ndjson' ? [path] : [];
  });
}

/** Reads every results path; one that cannot be read becomes a stream with its error, never a gap. */
export function readResults(cwd: string, paths: readonly string[]): ResultStream[] {
  return paths.flatMap((given): ResultStream[] => {
    const path = resolve(cwd, given);
    if (existsSync(path) && statSync(path).isDirectory()) {
      const files = messagesFilesUnder(path);
      if (files.length === 0) return [{ source: given, error: `no messages.ndjson under ${path}` }];
      return files.map((file) => readStream(file));
    }
    return [readStream(path)];
  });
}

function readStream(file: string): ResultStream {
  try {
    return { source: file, envelopes: readMessages(file) };
  } catch (error) {
    return { source: file, error: (error as Error).message };
  }
}

function policyOf(plan: RunPlan, cwd: string, file: string | undefined): Policy {
  if (!file) return plan.policy;
  const path = resolve(cwd, file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigurationError(path, [`--policy: cannot read it as JSON: ${(error as Error).message}`]);
  }
  const parsed = PolicyConfig.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ConfigurationError(path, describeIssues(parsed.error.issues, raw));
  return withPolicy(plan.policy, parsed.data);
}

function print(out: Output, verdict: GateVerdict): void {
  const { counts } = verdict;
  out.line(
    `${verdict.runs.length} result file(s), ${counts.scenarios} scenario(s): ${counts.passed} passed, ${counts.failed} failed, ${counts.flaky} flaky, ${counts.undefined} undefined, ${counts.pending} pending, ${counts.skipped} skipped`,
  );
  out.line(verdict.verdict === 'PROMOTE' ? out.color.green.bold('PROMOTE') : out.color.red.bold('BLOCK'));
  for (const reason of verdict.reasons) out.line(`  - ${reason}`);
}

export async function gate(
  plan: RunPlan,
  io: { cwd: string; env: Readonly<Record<string, string | undefined>> },
  out: Output,
  options: GateOptions,
): Promise<ExitCode> {
  const policy = policyOf(plan, io.cwd, options.policy);
  const verdict = evaluateResults(readResults(io.cwd, options.results), policy);
  const dir = options.out ? resolve(io.cwd, options.out) : join(plan.reportsDir, 'gate');
  await mkdir(dir, { recursive: true });
  const names = [...new Set(verdict.runs.flatMap((run) => (run.identity ? [run.identity.name] : [])))];
  const runName = names.join(', ') || 'unnamed';
  await writeGateJson(dir, verdict, { runId: runName, runs: verdict.runs, budgets: verdict.budgets });
  const summary = summaryMarkdown(verdict, { runId: runName, reportDir: dir });
  await writeFile(join(dir, 'summary.md'), summary);
  if (inGitHubActions(io.env)) {
    for (const line of publishToGitHub(verdict, summary, io.env, policy.quarantineTag)) out.plainErr(line);
  }
  if (options.json)
    out.json({
      verdict: verdict.verdict,
      reasons: verdict.reasons,
      counts: verdict.counts,
      budgets: verdict.budgets,
      runs: verdict.runs,
      out: dir,
    });
  else print(out, verdict);
  return verdict.verdict === 'PROMOTE' ? ExitCode.success : ExitCode.block;
}
