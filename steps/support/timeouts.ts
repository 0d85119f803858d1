// How long one step may take: the runner says (smoke is tighter); a step's own "within N seconds"
// deadline replaces it for that step.
import { setDefaultTimeout, wrapPromiseWithTimeout } from '@cucumber/cucumber';

setDefaultTimeout(Number(process.env.MES_E2E_STEP_TIMEOUT_MS) || 60_000);

/** Time after a step's own deadline for it to say where the order stopped (queues, logs, journey). */
const diagnosisMarginMs = 30_000;

/**
 * Options of a step whose phrase names its own deadline ("within N seconds"). The one step timeout
 * would cut a longer deadline short with a bare "function timed out" instead of what was seen, so
 * such a step has none and bounds itself with `withinDeadline`.
 */
export const ownDeadline = { timeout: -1 };

/** Bounds a step's work by the deadline its phrase names, plus the time to report what was seen. */
export function withinDeadline<T>(seconds: number, work: Promise<T>): Promise<T> {
  return wrapPromiseWithTimeout(
    work,
    seconds * 1000 + diagnosisMarginMs,
    `the step neither passed nor failed within its ${seconds} s deadline and ${diagnosisMarginMs / 1000} s more`,
  );
}

/** Options of a step or hook whose own waits may take up to `ms`, more than the one step timeout. */
export const waitsUpTo = (ms: number) => ({ timeout: ms + diagnosisMarginMs });
