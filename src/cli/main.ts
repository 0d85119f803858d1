// The only module that touches process: wires stdio, argv, cwd and env into the CLI and sets the exit code.
import { ExitCode } from './exit-codes.ts';
import { runCli } from './program.ts';

try {
  process.exitCode = await runCli({
    argv: process.argv.slice(2),
    cwd: process.cwd(),
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: process.stdout.isTTY === true,
    // Loaded on demand: most commands never ask, and testcontainers is slow to import.
    dockerAnswers: async () => {
      const { getContainerRuntimeClient } = await import('testcontainers');
      return getContainerRuntimeClient().then(
        () => true,
        () => false,
      );
    },
  });
} catch (error) {
  process.stderr.write(
    `mes-e2e: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = ExitCode.usage;
}
