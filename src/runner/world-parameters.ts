// What every cucumber worker gets (a structured clone, data only): where the components answer, what
// the chaos driver may touch, where evidence goes, the browser, the journey with the dead-letter
// exchanges of the contracts, and each component's OpenAPI document (every answer is checked against
// it, unless the policy switched answer-contract off). One definition, for the runner and for anything
// that runs cucumber-js itself on an environment (the benchmark's plain cucumber-js run).
import { join } from 'node:path';
import type { RunPlan } from '../config/load.ts';
import type { EnvironmentRecord } from '../environment/environment.ts';
import { faultTargetsOf } from '../environment/fault-targets.ts';
import { deadLetterExchangesOf } from '../journey/bus-watch.ts';

export function worldParametersOf(plan: RunPlan, record: EnvironmentRecord | undefined, reportDir: string) {
  return {
    endpoints: record?.endpoints ?? null,
    faultTargets: record ? faultTargetsOf(record) : null,
    artifactsDir: join(reportDir, 'artifacts'),
    /** Present once the run has stopped early: scenarios not started yet are skipped (early-stop.ts). */
    stopFile: join(reportDir, 'run-stopped.json'),
    chromium: plan.run.chromium,
    journey: plan.journey,
    /** The policy's budgets, drawn across the journey pictures of the orders they apply to. */
    budgets: plan.policy.budgets.map(({ figure, statistic, max }) => ({ figure, statistic, max })),
    deadLetterExchanges: deadLetterExchangesOf(plan.contracts.asyncapi.document),
    openapi: plan.policy.rules['answer-contract']
      ? Object.fromEntries(
          Object.entries(plan.contracts.openapi).map(([component, contract]) => [
            component,
            contract.document,
          ]),
        )
      : {},
  };
}
