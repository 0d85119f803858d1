// What a command ended with, and the one function that turns it into an exit code.
import type { GateVerdict } from '../gate/results.ts';
import { ExitCode } from './exit-codes.ts';

/**
 * done: the command did its job. promote / block: the gate's verdict. compromised: the environment
 * broke during the run, so the product was not shown to be at fault (never promoted).
 * not-ready: what a command checks (doctor, env status) is not usable. usage-error / environment-error:
 * the command could not do its job (bad input; infrastructure it needs). interrupted: SIGINT or SIGTERM,
 * after cleanup.
 */
export type Outcome =
  | 'done'
  | 'promote'
  | 'block'
  | 'compromised'
  | 'not-ready'
  | 'usage-error'
  | 'environment-error'
  | 'interrupted';

export function exitCodeOf(outcome: Outcome): ExitCode {
  switch (outcome) {
    case 'done':
    case 'promote':
      return ExitCode.success;
    case 'block':
      return ExitCode.block;
    case 'usage-error':
      return ExitCode.usage;
    case 'compromised':
    case 'not-ready':
    case 'environment-error':
      return ExitCode.environment;
    case 'interrupted':
      return ExitCode.interrupted;
  }
}

/** The same verdict gives the same outcome from `run` and from `gate`. */
export function outcomeOfVerdict(verdict: Pick<GateVerdict, 'verdict' | 'compromised'>): Outcome {
  if (verdict.compromised.length > 0) return 'compromised';
  return verdict.verdict === 'PROMOTE' ? 'promote' : 'block';
}
