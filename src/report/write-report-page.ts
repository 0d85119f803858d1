// Writes report.html for a run folder or a gate's merged output, linking only what is there to open
// (the traces in each run's artifacts/, the other reports beside the page); and reads back the
// gate.json a page is rebuilt from.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Envelope } from '@cucumber/messages';
import { z } from 'zod';
import { budgetPlotsOf } from '../charts/budget-plot.ts';
import type { BudgetCheck } from '../gate/coverage.ts';
import { BudgetRecordSchema } from '../gate/history-file.ts';
import type { GateVerdict } from '../gate/results.ts';
import { type Counts, emptyCounts } from '../gate/verdict.ts';
import { readGateFile } from './gate-file.ts';
import { type PageStream, pageScenarios, runSpan, type VerdictScenario } from './page-scenarios.ts';
import { reportPageFileName, reportPageHtml } from './report-page.ts';

/** A stream of messages, and the folder of its file: that run's artifacts/ is in it. */
export interface PageSource {
  envelopes: readonly Envelope[];
  dir?: string | undefined;
}

/** What the page needs of a verdict: a GateVerdict's or the one gate.json keeps. */
export interface PageVerdict {
  verdict: 'PROMOTE' | 'BLOCK';
  reasons: readonly string[];
  compromised: readonly string[];
  counts: Counts;
  scenarios: readonly VerdictScenario[];
  /** Every budget checked; a gate.json of an older mes-e2e may not say. */
  budgets?: readonly BudgetCheck[];
}

export interface PageInfo {
  runId: string;
  /** Measured by the run itself; otherwise from the messages. */
  durationMs?: number | undefined;
  notes?: readonly string[];
  /** Reports written beside the page at the same time, so not yet there to be seen. */
  writtenBeside?: readonly string[];
}

/** The other reports a run or a gate leaves beside the page, linked when they are there. */
const siblings = [
  'summary.md',
  'gate.json',
  'cucumber.html',
  'junit.xml',
  'messages.ndjson',
  'allure-report/index.html',
];

export function pageVerdictOf(verdict: GateVerdict): PageVerdict {
  return {
    ...verdict,
    scenarios: verdict.scenarios.map((scenario) => ({ ...scenario, quarantine: scenario.quarantine?.kind })),
  };
}

/** Writes `dir`/report.html and resolves to its path. */
export async function writeReportPage(
  dir: string,
  verdict: PageVerdict,
  sources: readonly PageSource[],
  info: PageInfo,
): Promise<string> {
  const streams = sources.map(
    ({ envelopes, dir: runDir }): PageStream => ({
      envelopes,
      ...(runDir === undefined ? {} : { artifactHref: artifactLink(dir, join(runDir, 'artifacts')) }),
    }),
  );
  const span = runSpan(streams);
  const links = siblings
    .filter((name) => info.writtenBeside?.includes(name) || existsSync(join(dir, name)))
    .map((name) => ({ href: name, text: name }));
  const html = reportPageHtml({
    runId: info.runId,
    verdict: verdict.verdict,
    reasons: verdict.reasons,
    compromised: verdict.compromised,
    counts: verdict.counts,
    scenarios: pageScenarios(verdict.scenarios, streams),
    budgets: budgetPlotsOf(verdict.budgets ?? []),
    startedAt: span.startedAt,
    durationMs: info.durationMs ?? span.durationMs,
    notes: info.notes ?? [],
    links,
  });
  const file = join(dir, reportPageFileName);
  await writeFile(file, html);
  return file;
}

/** A file of artifacts/ as a link relative to the page's folder, when it is there. */
const artifactLink = (pageDir: string, artifactsDir: string) => (fileName: string) => {
  const path = join(artifactsDir, fileName);
  if (!existsSync(path)) return undefined;
  return relative(pageDir, path).split(sep).map(encodeURIComponent).join('/');
};

const countKeys = Object.keys(emptyCounts()) as Array<keyof Counts>;

const GateJson = z.object({
  format: z.literal('mes-e2e/gate@1'),
  runId: z.string(),
  verdict: z.enum(['PROMOTE', 'BLOCK']),
  reasons: z.array(z.string()),
  compromised: z.array(z.string()),
  counts: z.record(z.string(), z.number()),
  runs: z.array(z.object({ source: z.string() })),
  scenarios: z.array(
    z.object({
      name: z.string(),
      uri: z.string(),
      line: z.number(),
      status: z.enum(['UNKNOWN', 'PASSED', 'SKIPPED', 'PENDING', 'UNDEFINED', 'AMBIGUOUS', 'FAILED']),
      attempts: z.number(),
      flaky: z.boolean(),
      quarantine: z.enum(['quarantined', 'expired', 'critical', 'bare-tag']).nullable(),
    }),
  ),
  budgets: z.array(BudgetRecordSchema.extend({ value: z.number().nullable() })).optional(),
});

/** gate.json as a page is rebuilt from: the verdict, its run's name and the messages files it judged. */
export function readGateJson(file: string): PageVerdict & { runId: string; sources: string[] } {
  const { runs, counts, scenarios, budgets, ...rest } = readGateFile(file, {
    named: file,
    schema: GateJson,
    hint: 'give the folder of a run or of a gate: its gate.json is the one mes-e2e run or gate wrote (a gate.json of an older mes-e2e: run mes-e2e gate again)',
  });
  return {
    ...rest,
    counts: Object.fromEntries(countKeys.map((key) => [key, counts[key] ?? 0])) as Counts,
    scenarios: scenarios.map(({ quarantine, ...scenario }) => ({
      ...scenario,
      quarantine: quarantine ?? undefined,
    })),
    sources: runs.map((run) => run.source),
    ...(budgets
      ? { budgets: budgets.map((budget) => ({ ...budget, value: budget.value ?? undefined })) }
      : {}),
  };
}
