// A folder of runs stands for its latest run, with every shard of that run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type FoundStream, latestRun } from './latest-run.ts';

const found = (source: string, runName: string | undefined, startedAt: number): FoundStream => ({
  stream: { source, envelopes: [] },
  runName,
  startedAt,
});

describe('latestRun', () => {
  it('keeps the run that started last and names the ones left out, newest first', () => {
    const { kept, leftOut } = latestRun([
      found('a/messages.ndjson', 'run-a', 1_000),
      found('c/messages.ndjson', 'run-c', 3_000),
      found('b/messages.ndjson', 'run-b', 2_000),
    ]);
    assert.deepEqual(
      kept.map((stream) => stream.source),
      ['c/messages.ndjson'],
    );
    assert.deepEqual(leftOut, ['run-b', 'run-a']);
  });

  it('keeps every shard of the latest run together, even when a shard started before an older run', () => {
    const { kept, leftOut } = latestRun([
      found('s1/messages.ndjson', 'release-42', 5_000),
      found('old/messages.ndjson', 'release-41', 5_500),
      found('s2/messages.ndjson', 'release-42', 6_000),
    ]);
    assert.deepEqual(
      kept.map((stream) => stream.source),
      ['s1/messages.ndjson', 's2/messages.ndjson'],
    );
    assert.deepEqual(leftOut, ['release-41']);
  });

  it('treats a stream that names no run as a run of its own, so a newer unreadable file is still judged', () => {
    const { kept, leftOut } = latestRun([
      found('good/messages.ndjson', 'run-a', 1_000),
      {
        stream: { source: 'broken/messages.ndjson', error: 'the file is empty' },
        runName: undefined,
        startedAt: 2_000,
      },
    ]);
    assert.deepEqual(
      kept.map((stream) => stream.source),
      ['broken/messages.ndjson'],
    );
    assert.deepEqual(leftOut, ['run-a']);
  });

  it('keeps a single run as it is', () => {
    const { kept, leftOut } = latestRun([found('x/messages.ndjson', 'run-x', 1)]);
    assert.equal(kept.length, 1);
    assert.deepEqual(leftOut, []);
  });
});
