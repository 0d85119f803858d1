// `mes-e2e run`, `smoke` and `list` through the real executable, on the local profile (the test run's
// broker and database, the reference services as processes): the verdict, the exit code, the reports,
// and an environment that is gone afterwards unless env up keeps it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { launchChromium } from '../src/drivers/browser.ts';
import { listRunDatabases, listRunVhosts } from '../src/environment/isolation.ts';
import { findLabelledProcesses } from '../src/environment/labelled-processes.ts';
import { eventually } from '../src/wait/eventually.ts';
import { referenceProject as project } from './support/fixture-project.ts';
import { infrastructureVariables } from './support/infrastructure.ts';
import { openOffline } from './support/offline-page.ts';
import { binPath, repoRoot, runMesE2e } from './support/run-cli.ts';

const shared = {
  amqpUrl: process.env[infrastructureVariables.amqp] ?? '',
  managementUrl: process.env[infrastructureVariables.management] ?? '',
  databaseUrl: process.env[infrastructureVariables.database] ?? '',
};
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
const fixture = (name: string) => join(repoRoot, 'test', 'fixtures', 'features', name);

interface Attachment {
  body: string;
  mediaType: string;
  fileName?: string;
}

interface Summary {
  runId: string;
  verdict: 'PROMOTE' | 'BLOCK';
  reasons: string[];
  counts: Record<string, number>;
  reports: string;
  environment: string;
}

async function nothingLeftOf(runId: string): Promise<void> {
  const [vhosts, databases] = await Promise.all([
    listRunVhosts(shared.managementUrl),
    listRunDatabases(shared.databaseUrl),
  ]);
  assert.ok(!vhosts.some((v) => v.name === runId), `vhost ${runId} left`);
  assert.ok(!databases.some((d) => d.name === runId), `database ${runId} left`);
  const processes = findLabelledProcesses().filter((p) => p.labels['org.mes-e2e.run-id'] === runId);
  assert.deepEqual(processes, [], 'service processes left');
}

// A describe's timeout bounds the whole block, not each test: this one is a backstop for a file
// of about fifteen CLI runs (4.5 minutes here); each run has its own deadline (timeoutMs).
/**
 * The run's report.html, opened offline in Chromium as a reader opens the CI artifact: the B2B order's
 * journey picture marks where it stopped, with a lane for each component, and so does its table.
 */
async function reportShowsTheStop(reports: string): Promise<void> {
  const browser = await launchChromium();
  try {
    const { page, requested } = await openOffline(browser, join(reports, 'report.html'));
    await page.screenshot({ path: join(reports, 'report.png'), fullPage: true });
    assert.equal(requested.length, 1, `the page asked only for itself: ${requested.join(', ')}`);
    await page.getByRole('heading', { level: 1, name: /^BLOCK / }).waitFor();
    const failed = page.getByRole('main').locator('details').first();
    assert.match((await failed.locator('summary').textContent()) ?? '', /^FAILED A B2B order/);
    const picture = failed.getByRole('img', { name: /stopped/ });
    assert.equal(await picture.count(), 1);
    const stopText = failed.getByText('stopped before: pricing.completed on the bus', { exact: true });
    assert.ok(await stopText.isVisible());
    const described = (await picture.getAttribute('aria-describedby')) ?? '';
    const description = (await page.locator(`[id="${described}"]`).textContent()) ?? '';
    for (const lane of ['crm', 'mes', 'pricing'])
      assert.match(description, new RegExp(`\\b${lane}\\b`), lane);
    const stop = failed.getByRole('row', { name: /pricing\.completed on the bus/ }).first();
    assert.equal(await stop.getByRole('cell', { name: 'stopped here', exact: true }).count(), 1);
  } finally {
    await browser.close();
  }
}

describe('mes-e2e run', { timeout: 1_200_000 }, () => {
  // The whole shipped suite runs in .ci/run (`npx mes-e2e run` on a fresh clone) and in the release
  // workflow; here its smoke scenarios are enough to prove what a run does around them.
  it('runs shipped scenarios on a fresh environment, writes the reports, promotes, and removes the environment', async () => {
    const cwd = project();
    const result = await runMesE2e(['run', '--tags', '@smoke', '--json'], { cwd, env, timeoutMs: 180_000 });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const summary = JSON.parse(result.stdout) as Summary;
    assert.equal(summary.verdict, 'PROMOTE');
    assert.equal(summary.environment, 'started');
    assert.ok(summary.counts.scenarios && summary.counts.scenarios >= 3, JSON.stringify(summary.counts));
    assert.equal(summary.counts.passed, summary.counts.scenarios);
    assert.match(
      result.stderr,
      /\[\d+\/\d+\] ✔ A B2C order placed through API v2/,
      'each scenario is reported as it ends',
    );

    for (const file of ['messages.ndjson', 'cucumber.html', 'junit.xml', 'gate.json']) {
      assert.ok(existsSync(join(summary.reports, file)), `${file} written`);
    }
    const junit = readFileSync(join(summary.reports, 'junit.xml'), 'utf8');
    assert.equal(junit.match(/<testcase /g)?.length, summary.counts.scenarios);
    const gate = JSON.parse(readFileSync(join(summary.reports, 'gate.json'), 'utf8')) as { verdict: string };
    assert.equal(gate.verdict, 'PROMOTE');
    // Every order's journey is attached to its scenario, hop by hop.
    const journeys = readFileSync(join(summary.reports, 'messages.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { attachment?: { body: string; fileName?: string } })
      .flatMap((envelope) =>
        envelope.attachment?.fileName === 'journey.json' ? [envelope.attachment.body] : [],
      );
    assert.ok(journeys.length >= 3, 'a journey per scenario that placed an order');
    const hops = (JSON.parse(journeys[0] ?? '[]') as Array<{ hops: Array<{ hop: string; at?: string }> }>)[0]
      ?.hops;
    assert.deepEqual(
      hops?.filter((h) => h.at === undefined).map((h) => h.hop),
      [],
      'every hop of a priced order has a time',
    );
    assert.ok(
      existsSync(join(cwd, 'reports', 'latest', 'messages.ndjson')),
      'reports/latest points at the run',
    );
    await nothingLeftOf(summary.runId);
  });

  it('blocks with the failing and undefined scenarios named at their file and line, and exits 1', async () => {
    const cwd = project();
    const result = await runMesE2e(
      ['run', fixture('wrong-total.feature'), fixture('undefined-step.feature'), '--json'],
      { cwd, env, timeoutMs: 180_000 },
    );
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const summary = JSON.parse(result.stdout) as Summary;
    assert.equal(summary.verdict, 'BLOCK');
    const reasons = summary.reasons.join('\n');
    assert.match(reasons, /wrong-total\.feature:2\) FAILED: .*total in cents/);
    assert.match(reasons, /undefined-step\.feature:2\) UNDEFINED/);
    assert.equal(summary.counts.failed, 1);
    assert.equal(summary.counts.undefined, 1);
    await nothingLeftOf(summary.runId);
  });

  it('keeps a screenshot and a Playwright trace of a failed @ui scenario, and the journey ends on the dashboard', async () => {
    const cwd = project();
    const result = await runMesE2e(['run', fixture('dashboard-wrong-price.feature'), '--json'], {
      cwd,
      env,
      timeoutMs: 180_000,
    });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const summary = JSON.parse(result.stdout) as Summary;
    assert.match(summary.reasons.join('\n'), /FAILED: .*the dashboard's price of order/);
    const attachments = readFileSync(join(summary.reports, 'messages.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .flatMap((line) => {
        const attachment = (JSON.parse(line) as { attachment?: Attachment }).attachment;
        return attachment ? [attachment] : [];
      });
    const named = (fileName: string) =>
      attachments.find((attachment) => attachment.fileName === fileName) ?? assert.fail(`no ${fileName}`);
    const screenshot = named('dashboard.png');
    assert.equal(screenshot.mediaType, 'image/png');
    assert.equal(Buffer.from(screenshot.body, 'base64').subarray(1, 4).toString(), 'PNG');
    const tracePath =
      /Playwright trace: (\S+)/.exec(named('trace.txt').body)?.[1] ?? assert.fail('no trace path');
    assert.ok(tracePath.startsWith(join(summary.reports, 'artifacts')), tracePath);
    assert.equal(readFileSync(tracePath).subarray(0, 2).toString(), 'PK', 'the trace is a zip archive');
    const [journey] = JSON.parse(named('journey.json').body) as Array<{
      hops: Array<{ hop: string; at?: string }>;
    }>;
    const lastHop = journey?.hops.at(-1);
    assert.equal(lastHop?.hop, 'dashboard shows it');
    assert.ok(lastHop?.at, 'the dashboard showed the order (only its price was wrong)');
    await nothingLeftOf(summary.runId);
  });

  it('blocks a pricing service that drops B2B requests, and the diagnosis names the hop where orders stop', async () => {
    const cwd = project({
      components: { pricing: { source: 'process', env: { PRICING_FAULT: 'drop-b2b' } } },
    });
    const result = await runMesE2e(['run', '--tags', '@smoke', '--json'], { cwd, env, timeoutMs: 180_000 });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const summary = JSON.parse(result.stdout) as Summary;
    assert.equal(summary.counts.failed, 1, summary.reasons.join('\n'));
    assert.match(
      summary.reasons.join('\n'),
      /B2B order .* FAILED: .*stopped before "pricing\.completed on the bus" \(last seen: pricing\.requested on the bus; responsible: pricing\)/,
    );
    const diagnosis =
      attachments(summary.reports, 'diagnosis.json')[0] ?? assert.fail('no diagnosis attached');
    const parsed = JSON.parse(diagnosis) as {
      orders: Array<{ stopped: string }>;
      queues: Array<{ name: string; consumers: number }>;
      logTails: Record<string, string>;
    };
    assert.match(parsed.orders[0]?.stopped ?? '', /pricing\.completed/);
    assert.ok(
      parsed.queues.some((q) => q.name === 'pricing.requests' && q.consumers === 1),
      JSON.stringify(parsed.queues),
    );
    assert.match(parsed.logTails.pricing ?? '', /fault injected/, 'the log tail of the component at fault');
    await reportShowsTheStop(summary.reports);
  });

  it('blocks a CRM without its rate limit, naming the rule it broke', async () => {
    const cwd = project({ components: { crm: { source: 'process', env: { CRM_RATE_LIMIT: 'off' } } } });
    const result = await runMesE2e(['run', '--tags', '@rate-limit', '--json'], {
      cwd,
      env,
      timeoutMs: 180_000,
    });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const summary = JSON.parse(result.stdout) as Summary;
    assert.match(
      summary.reasons.join('\n'),
      /exceeds its rate limit .* FAILED: .*\(at step "Then the last answer is 429 with a Retry-After header"\)/,
    );
  });

  // The shipped policy's budgets (services/reference.config.json) hold every full run; a normal one
  // passes them in .ci/run. Pricing six times slower than today (300 ms an order instead of 50) still
  // prices every order, so only the budgets can block it.
  it("blocks pricing several times slower than today on the reference stack's own budgets, every order priced", async () => {
    const bursts = ['features/performance.feature:7', 'features/performance.feature:12'];
    const slowed = await runMesE2e(['run', ...bursts.map((place) => join(repoRoot, place)), '--json'], {
      cwd: project({ components: { pricing: { source: 'process', env: { PRICING_COST_MS: '300' } } } }),
      env,
      timeoutMs: 300_000,
    });
    assert.equal(slowed.code, 1, slowed.stdout + slowed.stderr);
    const summary = JSON.parse(slowed.stdout) as Summary;
    assert.deepEqual([summary.counts.passed, summary.counts.failed], [2, 0], 'every order priced in time');
    const reasons = summary.reasons.join('\n');
    assert.match(
      reasons,
      /^created_to_priced_ms\.b2c p95 is \d+(\.\d)?, over the budget of 5000 \(\d+ samples\)$/m,
    );
    assert.doesNotMatch(reasons, /mes\.list_ms/, 'a figure these scenarios do not record holds nothing');
  });

  it('exits 2 naming the file and line of a Gherkin error, before starting anything', async () => {
    const result = await runMesE2e(['run', fixture('broken.feature')], { cwd: project(), env });
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(result.stderr, /broken\.feature:4: .*got 'This line is not a step'/);
    assert.doesNotMatch(result.stderr, /environment:/, 'no environment for a suite that cannot run');
  });

  it('blocks when the tag filter matches no scenario, without starting an environment', async () => {
    const result = await runMesE2e(['run', '--tags', '@no-such-tag', '--json'], { cwd: project(), env });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const summary = JSON.parse(result.stdout) as Summary;
    assert.equal(summary.environment, 'none');
    assert.match(summary.reasons.join('\n'), /no scenario/i);
  });

  it('exits 2 for a tag expression that does not parse, saying how to write one', async () => {
    const result = await runMesE2e(['run', '--tags', '@smoke and'], { cwd: project(), env });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--tags: "@smoke and" is not a tag expression/);
  });

  it('smoke reuses the environment env up keeps, and leaves it up', async () => {
    const cwd = project();
    const up = await runMesE2e(['env', 'up'], { cwd, env, timeoutMs: 120_000 });
    assert.equal(up.code, 0, up.stderr);
    try {
      const smoke = await runMesE2e(['smoke', '--json'], { cwd, env, timeoutMs: 120_000 });
      assert.equal(smoke.code, 0, smoke.stdout + smoke.stderr);
      const summary = JSON.parse(smoke.stdout) as Summary;
      assert.equal(summary.environment, 'reused');
      assert.match(smoke.stderr, /reusing mes_e2e_\w+ \(from env up\)/);
      const status = await runMesE2e(['env', 'status'], { cwd, env });
      assert.equal(status.code, 0, 'the environment is still up and healthy after smoke');
    } finally {
      await runMesE2e(['env', 'down'], { cwd, env });
    }
  });

  it('reports a scenario that passes on --retry 1 as flaky, and blocks only the @critical one', async () => {
    const cwd = project({
      features: [fixture('flaky.feature')],
      steps: [join(repoRoot, 'test', 'fixtures', 'steps', '*.ts')],
    });
    const result = await runMesE2e(['run', '--retry', '1', '--json'], { cwd, env, timeoutMs: 120_000 });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const summary = JSON.parse(result.stdout) as Summary;
    assert.equal(summary.counts.flaky, 2);
    assert.equal(summary.counts.passed, 2, 'both passed on their retry');
    assert.equal(summary.reasons.length, 1, summary.reasons.join('\n'));
    assert.match(summary.reasons[0] ?? '', /A critical scenario that needs a retry/);
    assert.match(summary.reasons[0] ?? '', /flaky/i);
    assert.match(result.stderr, /attempt 1 FAILED, retrying/);
  });

  it('gives the same results with --parallel 2 as serially, and never runs a @destructive scenario beside another', async () => {
    const cwd = project();
    const up = await runMesE2e(['env', 'up'], { cwd, env, timeoutMs: 120_000 });
    assert.equal(up.code, 0, up.stderr);
    try {
      // Enough scenarios for two workers, one of them @destructive (it kills MES).
      const tags = ['--tags', '@smoke or @rate-limit or @breaks-mes'];
      const serial = await runMesE2e(['run', ...tags, '--json'], { cwd, env, timeoutMs: 300_000 });
      const parallel = await runMesE2e(['run', ...tags, '--parallel', '2', '--retry', '1', '--json'], {
        cwd,
        env,
        timeoutMs: 300_000,
      });
      assert.equal(serial.code, 0, serial.stdout + serial.stderr);
      assert.equal(parallel.code, 0, parallel.stdout + parallel.stderr);
      const outcomes = (output: string) => {
        const summary = JSON.parse(output) as Summary;
        return {
          verdict: summary.verdict,
          counts: summary.counts,
          statuses: scenarioStatuses(summary.reports),
        };
      };
      assert.deepEqual(outcomes(parallel.stdout), outcomes(serial.stdout));
      const intervals = scenarioIntervals((JSON.parse(parallel.stdout) as Summary).reports);
      assert.ok(
        intervals.some((i) => i.destructive),
        'a @destructive scenario took part',
      );
      assert.ok(new Set(intervals.map((i) => i.workerId)).size === 2, 'two workers took part');
      for (const destructive of intervals.filter((i) => i.destructive)) {
        const beside = intervals.filter(
          (other) => other !== destructive && other.start < destructive.end && destructive.start < other.end,
        );
        assert.deepEqual(
          beside.map((other) => other.name),
          [],
          `ran beside the @destructive "${destructive.name}"`,
        );
      }
    } finally {
      await runMesE2e(['env', 'down'], { cwd, env });
    }
  });

  it('stops at SIGINT while scenarios run, removes the environment it started, and exits 130', async () => {
    const child = spawn(process.execPath, [binPath, 'run'], {
      cwd: project(),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stderr: string[] = [];
    createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
    const exited = once(child, 'exit').then(([code]) => code as number | null);
    await eventually(() => (stderr.some((line) => /^\[1\/\d+\]/.test(line)) ? true : undefined), {
      within: 60_000,
      description: 'the first scenario finished',
    });
    child.kill('SIGINT');
    assert.equal(await exited, 130, stderr.join('\n'));
    const runId = /isolating the run: vhost and database (mes_e2e_\w+)/.exec(stderr.join('\n'))?.[1];
    assert.ok(runId, stderr.join('\n'));
    await nothingLeftOf(runId);
  });

  it('stops at SIGTERM while the environment starts, removes what it had started, and exits 130', async () => {
    const child = spawn(process.execPath, [binPath, 'run'], {
      cwd: project(),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stderr: string[] = [];
    createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
    const exited = once(child, 'exit').then(([code]) => code as number | null);
    // The services are being started: processes exist, the run's vhost and database too.
    await eventually(
      () => (stderr.some((line) => /starting crm, mes and pricing/.test(line)) ? true : undefined),
      {
        within: 60_000,
        description: 'the services being started',
      },
    );
    child.kill('SIGTERM');
    assert.equal(await exited, 130, stderr.join('\n'));
    const runId = /isolating the run: vhost and database (mes_e2e_\w+)/.exec(stderr.join('\n'))?.[1];
    assert.ok(runId, stderr.join('\n'));
    await nothingLeftOf(runId);
  });

  it('exits 3 and calls the run compromised when a component dies that no scenario meant to stop', async () => {
    const child = spawn(process.execPath, [binPath, 'run', '--tags', 'not @destructive', '--json'], {
      cwd: project(),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stderr: string[] = [];
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
    const exited = once(child, 'exit').then(([code]) => code as number | null);
    await eventually(() => (stderr.some((line) => /^\[1\/\d+\]/.test(line)) ? true : undefined), {
      within: 60_000,
      description: 'the first scenario finished',
    });
    const runId = /isolating the run: vhost and database (mes_e2e_\w+)/.exec(stderr.join('\n'))?.[1];
    // The CRM dies under the run, as a crashed host would take it: nothing in the suite asked for it.
    const crm = findLabelledProcesses().find(
      (p) => p.labels['org.mes-e2e.run-id'] === runId && p.labels['org.mes-e2e.component'] === 'crm',
    );
    assert.ok(crm, `the run's crm process (${runId})`);
    process.kill(crm.pid, 'SIGKILL');
    assert.equal(await exited, 3, stderr.join('\n'));
    const summary = JSON.parse(stdout) as Summary & { compromised: string[] };
    assert.equal(summary.verdict, 'BLOCK');
    assert.match(summary.compromised.join('\n'), /^crm is not ready at the end of the run/);
    assert.match(summary.reasons[0] ?? '', /^environment compromised: crm/);
    await nothingLeftOf(summary.runId);
    // The messages say so too: a gate over them (or over all shards) gives the same verdict and exit code.
    const out = mkdtempSync(join(tmpdir(), 'mes-e2e-compromised-gate-'));
    const gate = await runMesE2e(['gate', '--json', '--results', summary.reports, '--out', out], {
      cwd: project(),
      env,
    });
    assert.equal(gate.code, 3, gate.stderr);
    const judged = JSON.parse(gate.stdout) as Summary & { compromised: string[] };
    assert.match(judged.reasons[0] ?? '', /^environment compromised: crm/);
    assert.deepEqual(judged.compromised, summary.compromised);
    const written = JSON.parse(readFileSync(join(out, 'gate.json'), 'utf8')) as { compromised: string[] };
    assert.deepEqual(written.compromised, summary.compromised);
    assert.match(readFileSync(join(out, 'summary.md'), 'utf8'), /not a product failure/);
  });

  it('lists the scenarios a tag expression picks, without running them', async () => {
    const result = await runMesE2e(['list', '--tags', '@smoke', '--json'], { cwd: project(), env });
    assert.equal(result.code, 0, result.stderr);
    const scenarios = JSON.parse(result.stdout) as Array<{
      name: string;
      uri: string;
      line: number;
      tags: string[];
    }>;
    assert.ok(scenarios.length > 0);
    for (const scenario of scenarios) {
      assert.ok(scenario.tags.includes('@smoke'), `${scenario.name} is tagged @smoke`);
      assert.match(scenario.uri, /^features\/.+\.feature$/);
    }
  });

  it("leaves the read replica's scenarios out where the database has none, saying why", async () => {
    const result = await runMesE2e(['list', '--tags', '@needs-postgres-replica', '--json'], {
      cwd: project(),
      env,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /leaving out scenarios tagged @needs-postgres-replica: profile local has no postgres-replica/,
    );
    assert.deepEqual(JSON.parse(result.stdout), [], 'no replica scenario listed');
  });
});

type AnyEnvelope = Record<string, Record<string, unknown> | undefined>;

function envelopesOf(reportDir: string): AnyEnvelope[] {
  return readFileSync(join(reportDir, 'messages.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AnyEnvelope);
}

/** Scenario name and location -> final status, from the gate's own record of the run. */
function scenarioStatuses(reportDir: string): Record<string, string> {
  const gate = JSON.parse(readFileSync(join(reportDir, 'gate.json'), 'utf8')) as {
    scenarios?: Array<{ name: string; uri: string; line: number; status: string }>;
  };
  return Object.fromEntries((gate.scenarios ?? []).map((s) => [`${s.uri}:${s.line} ${s.name}`, s.status]));
}

/** When each attempt of each scenario ran, and on which worker, from the messages. */
function scenarioIntervals(reportDir: string) {
  const envelopes = envelopesOf(reportDir);
  const pickles = new Map(
    envelopes.flatMap((e) =>
      e.pickle ? [[e.pickle.id as string, e.pickle as { name: string; tags: Array<{ name: string }> }]] : [],
    ),
  );
  const testCases = new Map(
    envelopes.flatMap((e) => (e.testCase ? [[e.testCase.id as string, e.testCase.pickleId as string]] : [])),
  );
  const millis = (t: unknown) => {
    const { seconds, nanos } = t as { seconds: number; nanos: number };
    return seconds * 1000 + nanos / 1e6;
  };
  const finished = new Map(
    envelopes.flatMap((e) =>
      e.testCaseFinished
        ? [[e.testCaseFinished.testCaseStartedId as string, millis(e.testCaseFinished.timestamp)]]
        : [],
    ),
  );
  return envelopes.flatMap((e) => {
    const started = e.testCaseStarted;
    if (!started) return [];
    const pickle = pickles.get(testCases.get(started.testCaseId as string) ?? '');
    return [
      {
        name: pickle?.name ?? '?',
        destructive: pickle?.tags.some((tag) => tag.name === '@destructive') ?? false,
        workerId: started.workerId as string,
        start: millis(started.timestamp),
        end: finished.get(started.id as string) ?? Number.POSITIVE_INFINITY,
      },
    ];
  });
}

/** The bodies of the attachments with this file name, from a run's messages. */
function attachments(reportDir: string, fileName: string): string[] {
  return envelopesOf(reportDir).flatMap((envelope) =>
    envelope.attachment?.fileName === fileName ? [String(envelope.attachment.body)] : [],
  );
}
