// `mes-e2e doctor`: says whether the chosen profile can run here, and how to fix what stops it.
import type { RunPlan } from '../../config/load.ts';
import { type Check, runDoctor } from '../../environment/doctor.ts';
import type { Output } from '../output.ts';

/** Resolves to true when every required check passed. */
export async function doctor(
  plan: RunPlan,
  env: Readonly<Record<string, string | undefined>>,
  out: Output,
  asJson: boolean,
) {
  const checks = await runDoctor(plan, env);
  const ready = checks.every((check) => check.ok || !check.required);
  if (asJson) {
    out.json({ profile: plan.profile, ready, checks });
    return ready;
  }
  out.line(`profile ${plan.profile} (${plan.profileFrom})`);
  for (const check of checks) out.line(renderCheck(check, out));
  out.line();
  out.line(
    ready
      ? out.color.green(`ready: the ${plan.profile} profile can run on this machine`)
      : out.color.red(`not ready: fix the ✖ lines above, then run mes-e2e doctor again`),
  );
  return ready;
}

function renderCheck(check: Check, out: Output): string {
  const mark = check.ok ? out.color.green('✔') : check.required ? out.color.red('✖') : out.color.yellow('!');
  const fix = !check.ok && check.fix ? `\n    fix: ${check.fix}` : '';
  return `${mark} ${check.name.padEnd(28)} ${check.detail}${fix}`;
}
