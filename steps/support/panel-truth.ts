// What the analytics panel should show of a scenario's own orders, and where it shows otherwise:
// counts per state and segment exactly, created-to-priced p50/p95 by nearest rank within a tolerance.
import type { AnalyticsFigures, PanelSegment } from '../../src/drivers/dashboard-page.ts';
import type { MesOrder } from '../../src/drivers/mes-client.ts';
import { statistic } from '../../src/gate/figures.ts';
import { createdToPricedMs } from './orders.ts';

/** What the panel should show of exactly these orders: counts per state and segment, p50 and p95 by nearest rank. */
export function panelTruthOf(orders: readonly MesOrder[]) {
  const count = (status: string, segment: PanelSegment) =>
    orders.filter((order) => order.status === status && order.segment === segment).length;
  const latency = (segment: PanelSegment) => {
    const times = orders
      .filter((order) => order.segment === segment && order.pricedAt)
      .map(createdToPricedMs);
    return times.length === 0
      ? { count: 0, p50: null, p95: null }
      : { count: times.length, p50: statistic(times, 'p50'), p95: statistic(times, 'p95') };
  };
  return { count, latency };
}

/** Each difference between the panel and the truth, in words; none when they agree. */
export function panelDifferences(
  truth: ReturnType<typeof panelTruthOf>,
  shown: AnalyticsFigures,
  toleranceMs: number,
  /** Each MES state (the API's name) as the page names it. */
  stateNames: Readonly<Record<string, string>>,
): string[] {
  const found: string[] = [];
  for (const [status, state] of Object.entries(stateNames))
    for (const segment of ['b2c', 'b2b'] as const) {
      const expected = truth.count(status, segment);
      const panel = shown.counts[state]?.[segment];
      if (panel !== expected)
        found.push(`${state} ${segment}: the panel counts ${panel}, the orders ${expected}`);
    }
  for (const segment of ['b2c', 'b2b'] as const) {
    const expected = truth.latency(segment);
    const panel = shown.latency[segment];
    if (panel.count !== expected.count)
      found.push(`${segment} priced: the panel counts ${panel.count}, the orders ${expected.count}`);
    for (const which of ['p50', 'p95'] as const) {
      const [a, b] = [panel[which], expected[which]];
      const agree = a === null || b === null ? a === b : Math.abs(a - b) <= toleranceMs;
      if (!agree)
        found.push(
          `${segment} created-to-priced ${which}: the panel shows ${a} ms, the orders measured ${b} ms`,
        );
    }
  }
  return found;
}
