// The worker's Chromium for @ui steps: launched on first use (a run without @ui scenarios never
// starts one), shared by the worker's scenarios (each gets its own context), closed at the end.
import type { Browser } from 'playwright';
import { launchChromium } from '../../src/drivers/browser.ts';
import { perWorker } from './per-worker.ts';

const browserOfThisWorker = perWorker<Browser>(
  (browser) => browser.isConnected(),
  (browser) => browser.close(),
);

export const workerBrowser = (chromium: string | undefined) =>
  browserOfThisWorker.get(() => launchChromium(chromium));

export const closeWorkerBrowser = () => browserOfThisWorker.close();
