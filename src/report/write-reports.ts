// Writes every report of a run from its messages and verdict: gate.json, summary.md, allure-results/.
// One report that fails does not take the others down; the caller hears which failed and why.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Envelope } from '@cucumber/messages';
import type { Verdict } from '../gate/verdict.ts';
import { writeAllureResults } from './allure-results.ts';
import { summaryMarkdown } from './summary.ts';

export interface RunReportInfo {
  runId: string;
  reportDir: string;
  durationMs: number;
  /** Shown in the Allure report's environment panel. */
  environment: Record<string, string>;
}

/** gate.json: the verdict, every reason, the counts and each scenario's outcome, for machines. */
export async function writeGateJson(
  dir: string,
  verdict: Verdict,
  info: { runId: string; runs?: unknown; budgets?: unknown },
): Promise<void> {
  await writeFile(join(dir, 'gate.json'), gateJson(verdict, info));
}

function gateJson(verdict: Verdict, info: { runId: string; runs?: unknown; budgets?: unknown }): string {
  const scenarios = verdict.scenarios.map(({ name, uri, line, tags, status, attempts, flaky }) => ({
    name,
    uri,
    line,
    tags,
    status,
    attempts,
    flaky,
  }));
  const { runId, runs } = info;
  const body = {
    runId,
    verdict: verdict.verdict,
    reasons: verdict.reasons,
    counts: verdict.counts,
    runs,
    scenarios,
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

/** Resolves to the problems of the reports that could not be written (empty when all were). */
export async function writeRunReports(
  envelopes: readonly Envelope[],
  verdict: Verdict & { budgets?: unknown },
  info: RunReportInfo,
) {
  const reports: Array<[string, () => Promise<unknown>]> = [
    ['gate.json', () => writeGateJson(info.reportDir, verdict, { ...info, budgets: verdict.budgets })],
    ['summary.md', () => writeFile(join(info.reportDir, 'summary.md'), summaryMarkdown(verdict, info))],
    [
      'allure-results',
      () =>
        writeAllureResults(envelopes, join(info.reportDir, 'allure-results'), {
          runId: info.runId,
          environment: info.environment,
        }),
    ],
  ];
  const outcomes = await Promise.allSettled(reports.map(([, write]) => write()));
  return outcomes.flatMap((outcome, index) =>
    outcome.status === 'rejected' ? [`${reports[index]?.[0]}: ${(outcome.reason as Error).message}`] : [],
  );
}
