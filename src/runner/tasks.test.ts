// Tasks set up in order and tear down in reverse, on success, on a failing setup and on an interrupt.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runTasks, type Task } from './tasks.ts';

type Log = string[];

const task = (name: string, setup?: (log: Log) => Promise<void>): Task<Log> => ({
  title: name,
  async setup(log) {
    log.push(`setup ${name}`);
    await setup?.(log);
  },
  async teardown(log) {
    log.push(`teardown ${name}`);
  },
});

const events = (signal = new AbortController().signal, stages: string[] = [], errors: string[] = []) => ({
  signal,
  onStage: (title: string) => stages.push(title),
  onTeardownError: (title: string, error: unknown) => errors.push(`${title}: ${(error as Error).message}`),
});

describe('runTasks', () => {
  it('sets up in order, says each stage, and tears down in reverse', async () => {
    const log: Log = [];
    const stages: string[] = [];
    const ended = await runTasks([task('a'), task('b'), task('c')], log, events(undefined, stages));
    assert.equal(ended, 'done');
    assert.deepEqual(stages, ['a', 'b', 'c']);
    assert.deepEqual(log, ['setup a', 'setup b', 'setup c', 'teardown c', 'teardown b', 'teardown a']);
  });

  it('tears down the task whose setup failed and those before it, then rethrows', async () => {
    const log: Log = [];
    const failing = task('b', async () => {
      throw new Error('b broke half-way');
    });
    await assert.rejects(runTasks([task('a'), failing, task('c')], log, events()), /b broke half-way/);
    assert.deepEqual(log, ['setup a', 'setup b', 'teardown b', 'teardown a']);
  });

  it('stops waiting on a setup when interrupted, and still tears everything down', async () => {
    const log: Log = [];
    const interrupt = new AbortController();
    const hanging: Task<Log> = {
      ...task('b', () => {
        interrupt.abort();
        return new Promise(() => {}); // cucumber has no cancel: the setup never settles
      }),
      abandonOnInterrupt: true,
    };
    const ended = await runTasks([task('a'), hanging, task('c')], log, events(interrupt.signal));
    assert.equal(ended, 'interrupted');
    assert.deepEqual(log, ['setup a', 'setup b', 'teardown b', 'teardown a']);
  });

  it('says a teardown that fails and goes on with the others', async () => {
    const log: Log = [];
    const errors: string[] = [];
    const stuck: Task<Log> = {
      title: 'b',
      async teardown() {
        throw new Error('could not remove');
      },
    };
    await runTasks([task('a'), stuck, task('c')], log, events(undefined, [], errors));
    assert.deepEqual(errors, ['b: could not remove']);
    assert.deepEqual(log, ['setup a', 'setup c', 'teardown c', 'teardown a']);
  });

  it('titles a task by what earlier tasks found', async () => {
    const stages: string[] = [];
    const found: Task<Log> = {
      title: 'find',
      async setup(log) {
        log.push('kept env-1');
      },
    };
    const uses: Task<Log> = { title: (log) => `environment: reusing ${log.at(-1)?.split(' ')[1]}` };
    await runTasks([found, uses], [], events(undefined, stages));
    assert.deepEqual(stages, ['find', 'environment: reusing env-1']);
  });

  it('waits for a setup that stops itself on an interrupt, so that what it half-started is removed first', async () => {
    const log: Log = [];
    const interrupt = new AbortController();
    const starting = task('environment', async (progress) => {
      interrupt.abort();
      await Promise.resolve();
      progress.push('environment removed what it had started');
      throw new Error('interrupted while starting');
    });
    await assert.rejects(
      runTasks([task('a'), starting, task('c')], log, events(interrupt.signal)),
      /interrupted/,
    );
    assert.deepEqual(log, [
      'setup a',
      'setup environment',
      'environment removed what it had started',
      'teardown environment',
      'teardown a',
    ]);
  });

  it('says interrupted when the signal aborts during a setup that completes', async () => {
    const interrupt = new AbortController();
    const log: Log = [];
    const ended = await runTasks(
      [task('a', async () => interrupt.abort()), task('b')],
      log,
      events(interrupt.signal),
    );
    assert.equal(ended, 'interrupted');
    assert.deepEqual(log, ['setup a', 'teardown a']);
  });
});
