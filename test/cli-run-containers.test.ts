// `mes-e2e run` on the containers profile, in parallel: scenarios run against the reference stack in
// containers, every report is there and well-formed, a sabotaged service is caught, nothing is left.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { dockerMissing, skipWhenMissing } from './support/needs.ts';
import { type CommandResult, runCommand, runMesE2e } from './support/run-cli.ts';

const skip = skipWhenMissing('containers-profile run', await dockerMissing());

const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };

interface Summary {
  runId: string;
  verdict: string;
  reasons: string[];
  counts: { scenarios: number; passed: number; failed: number };
  reports: string;
}

/** testsuite attributes as JUnit readers (CI systems) count them. */
function junitCounts(xml: string) {
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as {
    testsuite?: {
      tests: string;
      failures: string;
      errors?: string;
      skipped?: string;
      testcase: unknown[] | unknown;
    };
  };
  const suite = parsed.testsuite ?? assert.fail(`no <testsuite> in junit.xml: ${xml.slice(0, 200)}`);
  const cases = Array.isArray(suite.testcase) ? suite.testcase : [suite.testcase];
  return { tests: Number(suite.tests), failures: Number(suite.failures), cases: cases.length };
}

// One containers run proves both sides at once (each run brings up five containers, about a minute
// here): the smoke scenarios pass, and an MES sabotaged to ack before its commit is blocked by the
// database-down scenario. The whole shipped suite on this profile runs in .ci/run (`npx mes-e2e run`).
describe('mes-e2e run on the containers profile', { timeout: 900_000, skip }, () => {
  const cwd = mkdtempSync(join(tmpdir(), 'mes-e2e-containers-run-'));
  writeFileSync(
    join(cwd, 'mes-e2e.config.json'),
    JSON.stringify({
      components: { mes: { source: 'container', env: { MES_FAULT: 'ack-before-commit' } } },
    }),
  );
  const tags = '@smoke or @breaks-postgres';
  let run: Promise<{ result: CommandResult; summary: Summary }> | undefined;
  const ran = () => {
    run ??= runMesE2e(['run', '--profile', 'containers', '--tags', tags, '--parallel', '2', '--json'], {
      cwd,
      env,
      timeoutMs: 800_000,
    }).then((result) => {
      assert.ok(result.stdout.startsWith('{'), result.stdout + result.stderr);
      return { result, summary: JSON.parse(result.stdout) as Summary };
    });
    return run;
  };

  it('runs every selected scenario in parallel, writes every report, and leaves nothing behind', async () => {
    const { result, summary } = await ran();
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.doesNotMatch(
      result.stderr,
      /leaving out scenarios/,
      'the containers profile controls every component',
    );
    const listed = await runMesE2e(['list', '--profile', 'containers', '--tags', tags, '--json'], {
      cwd,
      env,
    });
    assert.equal(
      summary.counts.scenarios,
      (JSON.parse(listed.stdout) as unknown[]).length,
      'every scenario ran',
    );
    assert.deepEqual(
      { passed: summary.counts.passed, failed: summary.counts.failed },
      { passed: summary.counts.scenarios - 1, failed: 1 },
      'the smoke scenarios pass; only the sabotage is caught',
    );

    const dir = summary.reports;
    for (const file of ['messages.ndjson', 'cucumber.html', 'junit.xml', 'gate.json', 'summary.md']) {
      assert.ok(existsSync(join(dir, file)), `${file} written`);
    }
    const junit = junitCounts(readFileSync(join(dir, 'junit.xml'), 'utf8'));
    assert.deepEqual(junit, {
      tests: summary.counts.scenarios,
      failures: 1,
      cases: summary.counts.scenarios,
    });
    assert.match(readFileSync(join(dir, 'cucumber.html'), 'utf8'), /<html/i);
    const allure = readdirSync(join(dir, 'allure-results')).filter((file) => file.endsWith('-result.json'));
    assert.equal(allure.length, summary.counts.scenarios, 'one Allure result per scenario (no retries here)');
    assert.deepEqual(readdirSync(join(dir, 'logs')).sort(), [
      'crm.log',
      'mes.log',
      'postgres.log',
      'pricing.log',
      'rabbitmq.log',
    ]);
    assert.match(readFileSync(join(dir, 'summary.md'), 'utf8'), /BLOCK/);

    const report = await runMesE2e(['report'], { cwd, env, timeoutMs: 120_000 });
    assert.equal(report.code, 0, report.stderr);
    assert.ok(existsSync(join(dir, 'allure-report', 'index.html')), 'the Allure HTML report is built');

    const left = await runCommand('docker', [
      'ps',
      '-aq',
      '--filter',
      `label=org.mes-e2e.run-id=${summary.runId}`,
    ]);
    assert.equal(left.stdout.trim(), '', 'containers left after the run');
  });

  it('blocks an MES that acks before its commit, and the diagnosis names the hop where orders were lost', async () => {
    const { summary } = await ran();
    assert.match(summary.reasons.join('\n'), /database is down .* FAILED/);
    const diagnosis = JSON.parse(
      readFileSync(join(summary.reports, 'messages.ndjson'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { attachment?: { fileName?: string; body: string } })
        .find((envelope) => envelope.attachment?.fileName === 'diagnosis.json')?.attachment?.body ?? 'null',
    ) as { orders: Array<{ stopped: string }>; logTails: Record<string, string> } | null;
    assert.ok(diagnosis, 'a diagnosis is attached');
    assert.ok(
      diagnosis.orders.some((order) => /stopped before "MES received"/.test(order.stopped)),
      JSON.stringify(diagnosis.orders),
    );
    assert.match(diagnosis.logTails.mes ?? '', /message lost|fault injected/);
  });

  it('records in gate.json the image of every component that ran, as Docker knows it', async () => {
    const { summary } = await ran();
    const gateJson = JSON.parse(readFileSync(join(summary.reports, 'gate.json'), 'utf8')) as {
      tested: { components: Array<{ name: string; source: string; image: string; imageId: string }> };
    };
    const names = gateJson.tested.components.map((component) => component.name);
    assert.deepEqual(names, ['crm', 'mes', 'postgres', 'pricing', 'rabbitmq']);
    for (const component of gateJson.tested.components) {
      assert.equal(component.source, 'container', component.name);
      const inspected = await runCommand('docker', [
        'image',
        'inspect',
        '--format',
        '{{.Id}}',
        component.image,
      ]);
      assert.equal(component.imageId, inspected.stdout.trim(), `${component.name} ran ${component.image}`);
    }
  });
});
