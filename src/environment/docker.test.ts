// exitCodeOf tells how a run's container ended: startRunContainer uses it to say "the container exited
// (code N)" when testcontainers' own wait for its ports hides that (cli-env's never-ready test sees
// whichever path a run takes).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { defaultImages } from '../config/images.ts';
import { dockerEngine } from '../drivers/docker-engine.ts';
import { exitCodeOf, removeContainersByRunId } from './docker.ts';
import { labels, newRunId, runLabels } from './run-id.ts';

describe('exitCodeOf', () => {
  const runId = newRunId();
  after(() => removeContainersByRunId(runId));

  /** A container of the run, as the harness labels them, running `script` in the services' base image. */
  async function runContainer(component: string, script: string) {
    const docker = await dockerEngine();
    const container = await docker.createContainer({
      Image: defaultImages.node,
      Cmd: ['sh', '-c', script],
      Labels: { ...runLabels(runId, undefined), [labels.component]: component },
    });
    await container.start();
    return container;
  }

  it('gives the exit code of a run container that has stopped', async () => {
    const container = await runContainer('pricing', 'exit 3');
    await container.wait();
    assert.equal(await exitCodeOf(runId, 'pricing'), 3);
  });

  it('gives nothing for a container that still runs, or for a component with no container', async () => {
    await runContainer('mes', 'exec sleep 600');
    assert.equal(await exitCodeOf(runId, 'mes'), undefined);
    assert.equal(await exitCodeOf(runId, 'crm'), undefined);
  });
});
