// The only module that touches process: wires stdio and argv into the CLI and sets the exit code.
import { ExitCode } from './exit-codes.ts';
import { runCli } from './program.ts';

try {
  process.exitCode = await runCli({
    argv: process.argv.slice(2),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
} catch (error) {
  process.stderr.write(
    `mes-e2e: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = ExitCode.usage;
}
