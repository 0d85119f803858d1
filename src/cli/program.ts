// The mes-e2e command line: parses argv with commander and returns an exit code; never touches process.
import { Command, CommanderError } from 'commander';
import { ExitCode } from './exit-codes.ts';
import { readPackageInfo } from './package-info.ts';

export interface CliIo {
  argv: readonly string[];
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export function buildProgram(io: CliIo): Command {
  const pkg = readPackageInfo();
  return new Command('mes-e2e')
    .description(pkg.description)
    .version(pkg.version, '-V, --version', 'print the mes-e2e version')
    .helpOption('-h, --help', 'show help for a command')
    .showHelpAfterError('(run mes-e2e --help for the commands and options)')
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
}

/** Runs the CLI for the given argv (without the node and script entries) and resolves to its exit code. */
export async function runCli(io: CliIo): Promise<ExitCode> {
  const program = buildProgram(io);
  try {
    if (io.argv.length === 0) {
      program.outputHelp();
      return ExitCode.success;
    }
    await program.parseAsync([...io.argv], { from: 'user' });
    return ExitCode.success;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCode.success : ExitCode.usage;
    }
    throw error;
  }
}
