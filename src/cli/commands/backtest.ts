// `mes-e2e gate --backtest PATH...`: what the policy would have decided over stored runs, oldest first,
// beside what was decided then. It judges and prints; it writes nothing (gate.json stays as it was).
import { type BacktestDecision, backtest } from '../../gate/backtest.ts';
import { mergeRuns } from '../../gate/history.ts';
import type { Policy } from '../../gate/policy.ts';
import type { Outcome } from '../outcome.ts';
import type { Output } from '../output.ts';
import { readEarlierRuns } from './history-input.ts';

const SHOWN_REASONS = 3;

export function backtestPolicy(
  policy: Policy,
  cwd: string,
  out: Output,
  paths: readonly string[],
  json: boolean,
): Outcome {
  const decisions = backtest(mergeRuns(readEarlierRuns(cwd, paths, policy)), policy);
  if (json) out.json({ decisions });
  else print(out, decisions);
  return 'done';
}

function print(out: Output, decisions: readonly BacktestDecision[]): void {
  out.line(`backtest of the policy over ${decisions.length} stored run(s), oldest first:`);
  for (const decision of decisions) {
    out.line(decisionLine(out, decision));
    for (const reason of decision.reasons.slice(0, SHOWN_REASONS)) out.line(`    - ${reason}`);
    const more = decision.reasons.length - SHOWN_REASONS;
    if (more > 0) out.line(`    - and ${more} more`);
    if (decision.judgedFrom === 'record')
      out.line(
        `    (judged from its compact history record only, no messages: not applied: ${decision.notApplied.join('; ')})`,
      );
  }
  const known = decisions.filter((decision) => decision.decided !== undefined);
  const changed = known.filter((decision) => decision.decided !== decision.wouldBe);
  out.line(
    `${changed.length} of the ${known.length} decision(s) recorded then would change` +
      (known.length < decisions.length
        ? `; ${decisions.length - known.length} run(s) have no recorded decision`
        : ''),
  );
}

function decisionLine(out: Output, decision: BacktestDecision): string {
  const now = decision.wouldBe === 'PROMOTE' ? out.color.green('PROMOTE') : out.color.red('BLOCK');
  const then = decision.decided ?? 'unknown';
  const changed = decision.decided !== undefined && decision.decided !== decision.wouldBe ? ' (changed)' : '';
  const commit = decision.commit ? ` ${decision.commit.slice(0, 12)}` : '';
  return `${decision.startedAt} ${decision.run}${commit}: would ${now}; then ${then}${changed}`;
}
