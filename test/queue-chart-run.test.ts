// A scenario that builds a pricing backlog, run by the real executable on the reference stack: its
// queue samples (queues.json) show pricing.requests rise to the orders placed while pricing was
// stopped and fall back to none before the scenario ended, its consumers gone and back; the chart and
// its table attached beside them draw that queue.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { QueueSample, QueueSamples } from '../src/drivers/queue-sampler.ts';
import { referenceProject } from './support/fixture-project.ts';
import { chromiumMissing, skipWhenMissing } from './support/needs.ts';
import { repoRoot, runMesE2e } from './support/run-cli.ts';

const skip = skipWhenMissing('the queue chart of a dashboard scenario', await chromiumMissing());
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' };
// The asynchronous-pricing scenarios do not do: the first drains within a second, before the broker's
// figures (refreshed every second) show it; the second leaves its backlog to the After hook. This one
// waits on the analytics panel, which reads the same management API, for the backlog and its end.
// Found by its name, not a line number: scenarios added above it move it.
const backlogScenario = 'Scenario: A pricing backlog shows on the analytics panel while pricing is stopped';
const scenario = `${repoRoot}features/dashboard.feature:${
  readFileSync(join(repoRoot, 'features', 'dashboard.feature'), 'utf8')
    .split('\n')
    .findIndex((line) => line.trim() === backlogScenario) + 1
}`;

interface Attachment {
  body: string;
  mediaType: string;
  fileName?: string;
}

function attachmentsOf(reportDir: string): Attachment[] {
  return readFileSync(join(reportDir, 'messages.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      const { attachment } = JSON.parse(line) as { attachment?: Attachment };
      return attachment ? [attachment] : [];
    });
}

const named = (attachments: readonly Attachment[], fileName: string) =>
  attachments.find((attachment) => attachment.fileName === fileName) ??
  assert.fail(`no ${fileName} attached`);

/** The queue's figures in each sample that has them: messages are ready + unacked. */
const seriesOf = (samples: readonly QueueSample[], name: string) =>
  samples.flatMap((sample) => {
    const queue = 'queues' in sample ? sample.queues.find((each) => each.name === name) : undefined;
    return queue
      ? [{ at: sample.at, messages: queue.ready + queue.unacked, consumers: queue.consumers }]
      : [];
  });

describe('queues over a scenario that builds a pricing backlog', { skip, timeout: 180_000 }, () => {
  it('samples pricing.requests rising to the orders placed while pricing was stopped, then draining', async () => {
    const cwd = referenceProject();
    const started = performance.now();
    const result = await runMesE2e(['run', scenario, '--json'], { cwd, env, timeoutMs: 150_000 });
    console.log(`# the run took ${Math.round(performance.now() - started)} ms`);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const summary = JSON.parse(result.stdout) as { reports: string; counts: Record<string, number> };
    assert.equal(summary.counts.passed, 1);

    const attachments = attachmentsOf(summary.reports);
    const record = JSON.parse(named(attachments, 'queues.json').body) as QueueSamples;
    const orders = (JSON.parse(named(attachments, 'journey.json').body) as unknown[]).length;
    const pricing = seriesOf(record.samples, 'pricing.requests');
    const figures = pricing.map(({ at, messages, consumers }) => `${at}:${messages}/${consumers}`);
    console.log(`# ${orders} orders; pricing.requests at ms:messages/consumers ${figures.join(' ')}`);
    console.log(`# ${record.samples.length} samples over ${record.endedAt} ms, every ${record.everyMs} ms`);

    assert.ok(pricing.length >= 3, `pricing.requests in ${pricing.length} samples`);
    const peak = pricing.reduce((best, point) => (point.messages > best.messages ? point : best));
    assert.ok(orders >= 1);
    assert.ok(peak.messages >= orders, `peaked at ${peak.messages} messages for ${orders} orders`);
    assert.equal(pricing[0]?.messages, 0, 'empty when the scenario started');
    assert.equal(pricing.at(-1)?.messages, 0, 'drained before the scenario ended');
    assert.ok(
      pricing.some((point) => point.at > peak.at && point.messages === 0),
      'the backlog fell after its peak',
    );
    assert.ok(
      pricing.some((point) => point.consumers === 0),
      'no consumer while pricing was stopped',
    );
    // That pricing consumes again is the drain above: the broker's consumer count lags its message
    // count by a refresh, and the scenario ends as soon as the panel shows the queue empty (CI saw the
    // last sample at 0 messages and still 0 consumers).
    assert.ok(record.deadLetterQueues.includes('pricing.requests.dead'), record.deadLetterQueues.join());

    const svg = Buffer.from(named(attachments, 'queues.svg').body, 'base64').toString('utf8');
    assert.equal(named(attachments, 'queues.svg').mediaType, 'image/svg+xml');
    assert.match(svg, /<g data-queue="pricing\.requests" data-dead-letter="false">/);
    assert.match(svg, new RegExp(`pricing\\.requests: max ${peak.messages} at [\\d.]+ s, 0 at the end`));
    const table = named(attachments, 'queues-table.html').body;
    assert.match(
      table,
      new RegExp(`<th scope="row">pricing\\.requests</th><td>work</td><td class="n">${peak.messages}</td>`),
    );
  });
});
