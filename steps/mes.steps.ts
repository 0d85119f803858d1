// MES as an operator uses it: how fast its order list answers while the pipeline is busy.
import assert from 'node:assert/strict';
import { Then } from '@cucumber/cucumber';
import { figuresBody, figuresMediaType, statistic } from '../src/gate/figures.ts';
import type { MesWorld } from './support/world.ts';

Then(
  'the MES order list answers {int} times with a p95 under {int} ms',
  async function (this: MesWorld, calls: number, budgetMs: number) {
    const timings: number[] = [];
    for (let i = 0; i < calls; i += 1) {
      const began = performance.now();
      const { orders } = await this.mes.listOrders({ limit: 50, ...(i % 2 ? { status: 'pricing' } : {}) });
      timings.push(performance.now() - began);
      assert.ok(Array.isArray(orders), 'the list answers with orders');
    }
    // Recorded in the messages, so the gate's budgets can hold the run to them.
    await this.attach(figuresBody({ 'mes.list_ms': timings }), figuresMediaType);
    const p95 = statistic(timings, 'p95');
    this.log(
      `MES order list: ${calls} calls, p50 ${statistic(timings, 'p50').toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`,
    );
    assert.ok(p95 < budgetMs, `p95 ${p95.toFixed(1)} ms over the ${budgetMs} ms budget`);
  },
);
