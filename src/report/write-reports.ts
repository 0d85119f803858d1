// Writes every report of a run from its messages and verdict: gate.json, summary.md, report.html,
// allure-results/.
// One report that fails does not take the others down; the caller hears which failed and why.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Envelope } from '@cucumber/messages';
import { budgetPlotsOf } from '../charts/budget-plot.ts';
import type { HistoryReport } from '../gate/history.ts';
import type { QuarantineReport } from '../gate/quarantine.ts';
import type { GateVerdict } from '../gate/results.ts';
import { writeAllureResults } from './allure-results.ts';
import { failedScenarioJourneys } from './failed-journeys.ts';
import { summaryMarkdown } from './summary.ts';
import { pageVerdictOf, writeReportPage } from './write-report-page.ts';

export interface RunReportInfo {
  runId: string;
  reportDir: string;
  durationMs: number;
  /** Shown in the Allure report's environment panel. */
  environment: Record<string, string>;
}

/** Names gate.json's shape for the programs that read it (mes-e2e promote among them). */
export const gateJsonFormat = 'mes-e2e/gate@1';

/**
 * gate.json, for machines: the verdict, every reason, whether the environment broke, the counts,
 * every budget checked (figure, statistic, measured value, limit), the runs, each scenario's outcome,
 * and the quarantine: each entry, active or expired, the scenarios it matched and how they did (what a
 * report over run history reads to tell which entries are ready to be released).
 */
export async function writeGateJson(dir: string, verdict: GateVerdict, info: GateJsonInfo): Promise<void> {
  await writeFile(join(dir, 'gate.json'), gateJson(verdict, info));
}

interface GateJsonInfo {
  runId: string;
  /** Per scenario over the last runs, failing streaks, change since the last PROMOTE (gate --history). */
  history?: HistoryReport | undefined;
}

function gateJson(verdict: GateVerdict, info: GateJsonInfo): string {
  const scenarios = verdict.scenarios.map(
    ({ name, uri, line, tags, status, attempts, flaky, quarantine }) => ({
      name,
      uri,
      line,
      tags,
      status,
      attempts,
      flaky,
      quarantine: quarantine?.kind ?? null,
    }),
  );
  const budgets = verdict.budgets.map(({ figure, statistic, value, max, samples, ok, percentiles }) => ({
    figure,
    statistic,
    value: value ?? null,
    max,
    samples,
    ok,
    ...(percentiles ? { percentiles } : {}),
  }));
  const body = {
    format: gateJsonFormat,
    runId: info.runId,
    verdict: verdict.verdict,
    reasons: verdict.reasons,
    compromised: verdict.compromised,
    counts: verdict.counts,
    budgets,
    violations: verdict.violations,
    tested: verdict.tested ?? null,
    runs: verdict.runs,
    quarantine: quarantineJson(verdict.quarantine),
    scenarios,
    ...(info.history ? { history: info.history } : {}),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

/** The quarantine for machines: stable keys, every entry with its place in the file. */
function quarantineJson(report: QuarantineReport) {
  return {
    file: report.file ?? null,
    judgedOn: report.judgedOn ?? null,
    max: report.max,
    allowCritical: report.allowCritical,
    entries: report.entries.map(({ entry, state, scenarios }) => ({
      scenario: entry.scenario ?? null,
      tag: entry.tag ?? null,
      owner: entry.owner,
      reason: entry.reason,
      link: entry.link ?? null,
      expires: entry.expires,
      line: entry.line,
      state,
      scenarios,
    })),
  };
}

/** Resolves to the problems of the reports that could not be written (empty when all were). */
export async function writeRunReports(
  envelopes: readonly Envelope[],
  verdict: GateVerdict,
  info: RunReportInfo,
) {
  const reports: Array<[string, () => Promise<unknown>]> = [
    ['gate.json', () => writeGateJson(info.reportDir, verdict, info)],
    [
      'summary.md',
      () => {
        const journeys = failedScenarioJourneys([envelopes], verdict.scenarios);
        return writeFile(join(info.reportDir, 'summary.md'), summaryMarkdown(verdict, { ...info, journeys }));
      },
    ],
    [
      // Needs no Java and no browser: the one page a reader opens from the CI artifact.
      'report.html',
      () =>
        writeReportPage(info.reportDir, pageVerdictOf(verdict), [{ envelopes, dir: info.reportDir }], {
          runId: info.runId,
          durationMs: info.durationMs,
          writtenBeside: ['gate.json', 'summary.md'],
        }),
    ],
    [
      'allure-results',
      () =>
        writeAllureResults(envelopes, join(info.reportDir, 'allure-results'), {
          runId: info.runId,
          environment: info.environment,
          budgets: budgetPlotsOf(verdict.budgets),
        }),
    ],
  ];
  const outcomes = await Promise.allSettled(reports.map(([, write]) => write()));
  return outcomes.flatMap((outcome, index) =>
    outcome.status === 'rejected' ? [`${reports[index]?.[0]}: ${(outcome.reason as Error).message}`] : [],
  );
}
