// Typed failures: each says what went wrong and what to do, and carries the kind the CLI turns into an exit code.

/** usage: bad flags, config or feature files (exit 2); environment: infrastructure could not be used (exit 3). */
export type FailureKind = 'usage' | 'environment';

export class MesE2eError extends Error {
  readonly kind: FailureKind;
  /** What the user should do about it. */
  readonly hint: string;
  constructor(kind: FailureKind, message: string, hint: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MesE2eError';
    this.kind = kind;
    this.hint = hint;
  }
}

export class ConfigurationError extends MesE2eError {
  readonly file: string | undefined;
  readonly problems: readonly string[];
  constructor(file: string | undefined, problems: readonly string[], hint?: string) {
    super(
      'usage',
      `configuration error${file ? ` in ${file}` : ''}:\n${problems.map((p) => `  ${p}`).join('\n')}`,
      hint ??
        (file
          ? 'Fix the file (or pass another with --config) and run again.'
          : 'Fix the option and run again.'),
    );
    this.name = 'ConfigurationError';
    this.file = file;
    this.problems = problems;
  }
}
