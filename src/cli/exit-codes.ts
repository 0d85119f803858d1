// The exit codes every mes-e2e command shares; the CLI layer is the only place that picks one.
export const ExitCode = {
  success: 0,
  block: 1,
  usage: 2,
  environment: 3,
  interrupted: 130,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
