// The run's queues over each scenario: sampled from its first step to its end (when the broker has a
// management API; silently not otherwise), then attached as data (queues.json), a chart (queues.svg)
// and the chart's text twin (queues-table.html). Registered after hooks.ts (steps/index.ts), so its
// After hook runs first: the window ends with the scenario, before anything it broke is put back.
import { After, Before } from '@cucumber/cucumber';
import { queueChartSvg } from '../../src/charts/queue-chart-svg.ts';
import { queueTableHtml } from '../../src/charts/queue-chart-table.ts';
import { queueWindowOf } from '../../src/charts/queue-history.ts';
import {
  type QueueSamples,
  type RunningQueueSampler,
  sampleBrokerQueues,
} from '../../src/drivers/queue-sampler.ts';
import type { MesWorld } from './world.ts';

export const queueSamplesFileName = 'queues.json';

const samplers = new WeakMap<MesWorld, RunningQueueSampler>();

Before(function (this: MesWorld) {
  const { managementUrl, vhost } = this.endpoints.rabbitmq;
  if (!managementUrl) return;
  samplers.set(this, sampleBrokerQueues(managementUrl, vhost, this.parameters.deadLetterExchanges));
});

After(async function (this: MesWorld) {
  const sampler = samplers.get(this);
  if (!sampler) return;
  samplers.delete(this);
  const record = masked(await sampler.stop(), (text) => this.generic.mask(text));
  await this.attach(JSON.stringify(record), {
    mediaType: 'application/json',
    fileName: queueSamplesFileName,
  });
  const window = queueWindowOf(record);
  // Base64, as the journey picture: cucumber.html shows an SVG only from a base64 body.
  await this.attach(Buffer.from(queueChartSvg(window)), {
    mediaType: 'image/svg+xml',
    fileName: 'queues.svg',
  });
  await this.attach(queueTableHtml(window), { mediaType: 'text/html', fileName: 'queues-table.html' });
});

/** A failed request's message may name the broker's URL: no password of the run leaves it. */
function masked(record: QueueSamples, mask: (text: string) => string): QueueSamples {
  return {
    ...record,
    samples: record.samples.map((sample) =>
      'gap' in sample ? { ...sample, gap: mask(sample.gap) } : sample,
    ),
  };
}
