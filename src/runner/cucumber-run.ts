// Runs the selected scenarios with cucumber-js's programmatic API: every envelope goes to
// messages.ndjson (the gate's input) and to the caller; cucumber's own HTML and JUnit formatters
// write the reports, so they agree with the messages by construction.
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { loadConfiguration, runCucumber } from '@cucumber/cucumber/api';
import type { Envelope } from '@cucumber/messages';
import type { Selection } from '../config/selection.ts';
import { MesE2eError } from '../errors.ts';
import { identityEnvelope, type RunIdentity } from '../gate/run-identity.ts';

export interface CucumberRunOptions {
  selection: Selection;
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  parallel: number;
  retry: number;
  dryRun?: boolean;
  reportDir: string;
  /** Data only: workers receive a structured clone. */
  worldParameters: Record<string, unknown>;
  /** Written into the stream after testRunStarted, so the messages say which run and shard they are. */
  identity?: RunIdentity;
  onEnvelope(envelope: Envelope): void;
}

export interface CucumberRunResult {
  messagesFile: string;
  envelopes: Envelope[];
}

/** The plugin module beside this one, .ts in a checkout and .js in the published package. */
const aloneLastPlugin = new URL(`./alone-last${extname(fileURLToPath(import.meta.url))}`, import.meta.url)
  .href;

/** Swallows what cucumber would print: mes-e2e prints its own progress. */
const silent = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

export async function runScenarios(options: CucumberRunOptions): Promise<CucumberRunResult> {
  await mkdir(options.reportDir, { recursive: true });
  const messagesFile = join(options.reportDir, 'messages.ndjson');
  const messages = createWriteStream(messagesFile, { mode: 0o600 });
  const envelopes: Envelope[] = [];
  const environment = { cwd: options.cwd, env: { ...options.env }, stdout: silent(), stderr: silent() };
  try {
    const { runConfiguration } = await loadConfiguration(
      {
        file: false,
        provided: {
          paths: [...options.selection.paths],
          tags: options.selection.tags,
          name: [...options.selection.names],
          ...(options.selection.shard ? { shard: options.selection.shard } : {}),
          import: [...options.selection.supportImports],
          plugin: [aloneLastPlugin],
          parallel: options.parallel,
          retry: options.retry,
          // mes-e2e stops early itself (early-stop.ts): quarantined failures do not count, skips are explained.
          failFast: false,
          dryRun: options.dryRun === true,
          format: options.dryRun
            ? []
            : [
                ['html', join(options.reportDir, 'cucumber.html')],
                ['junit', join(options.reportDir, 'junit.xml')],
              ],
          worldParameters: options.worldParameters as never,
        },
      },
      environment,
    );
    const record = (envelope: Envelope) => {
      envelopes.push(envelope);
      messages.write(`${JSON.stringify(envelope)}\n`);
      options.onEnvelope(envelope);
    };
    await runCucumber(runConfiguration, environment, (envelope) => {
      record(envelope);
      if (envelope.testRunStarted && options.identity) {
        record(identityEnvelope(options.identity, envelope.testRunStarted.id));
      }
    });
  } catch (error) {
    // Cucumber throws (with no testRunFinished) when support code fails to load or an option is bad.
    throw new MesE2eError(
      'usage',
      `cucumber could not run the scenarios: ${(error as Error).message}`,
      'fix the step definitions or options named above; mes-e2e list shows what would run',
      { cause: error },
    );
  } finally {
    await new Promise<void>((resolve) => messages.end(resolve));
  }
  return { messagesFile, envelopes };
}
