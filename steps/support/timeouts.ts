// How long one step may take: the runner says (smoke is tighter); a step's own "within N seconds"
// deadline must fit inside it.
import { setDefaultTimeout } from '@cucumber/cucumber';

setDefaultTimeout(Number(process.env.MES_E2E_STEP_TIMEOUT_MS) || 60_000);
