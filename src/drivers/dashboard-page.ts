// The MES dashboard as a person sees it, through Playwright: the orders view and the analytics
// panel, found by their accessible names (roles and labels), never by CSS paths.
import type { Browser, BrowserContext, Locator, Page } from 'playwright';
import { eventually } from '../wait/eventually.ts';

export interface OrderRowView {
  id: string;
  segment: string;
  customer: string;
  state: string;
  price: string;
  created: string;
  priced: string;
}

export interface QueueRowView {
  name: string;
  messages: number;
  ready: number;
  unacknowledged: number;
  consumers: number;
}

export type PanelSegment = 'b2c' | 'b2b';

/** The analytics panel's order figures as shown: counts per state (as the page names it) and segment. */
export interface AnalyticsFigures {
  counts: Record<string, Record<PanelSegment, number>>;
  /** Created-to-priced of the priced orders, in ms; null where the panel shows none ("—"). */
  latency: Record<PanelSegment, { count: number; p50: number | null; p95: number | null }>;
}

export interface DashboardPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Opens the dashboard; with `since`, its analytics panel counts only the orders created from then on. */
  open(options?: { since?: string }): Promise<void>;
  /** The rows of the orders view, as shown. */
  orders(): Promise<OrderRowView[]>;
  /** Waits until the order's row shows (in `state`, when given) without reloading the page. */
  waitForOrder(id: string, options: { state?: string; within: number }): Promise<OrderRowView>;
  filter(filters: { state?: string; segment?: string }): Promise<void>;
  nextPage(): Promise<void>;
  newestPage(): Promise<void>;
  /** The queue's row of the analytics panel. */
  queue(name: string): Promise<QueueRowView | undefined>;
  waitForQueue(
    name: string,
    holds: (queue: QueueRowView) => boolean,
    options: { within: number; description: string },
  ): Promise<QueueRowView>;
  /** The figures of a table of the analytics panel ("Order counts", "Latency"), row by row. */
  table(name: string): Promise<string[][]>;
  /** The "Order counts" and "Latency" tables, read as figures. */
  analytics(): Promise<AnalyticsFigures>;
  waitForTable(
    name: string,
    holds: (rows: string[][]) => boolean,
    options: { within: number; description: string },
  ): Promise<string[][]>;
  /** True while the document loaded by open() is still the one shown (no reload, no navigation). */
  isSameDocument(): Promise<boolean>;
  close(): Promise<void>;
}

const orderColumns = ['id', 'segment', 'customer', 'state', 'price', 'created', 'priced'] as const;

async function cellTexts(row: Locator): Promise<string[]> {
  return (await row.getByRole('cell').allInnerTexts()).map((text) => text.trim());
}

async function bodyRows(table: Locator): Promise<string[][]> {
  // The header row holds column headers, not cells: only body rows have cells.
  const rows = await table.getByRole('row').all();
  const texts = await Promise.all(rows.map(cellTexts));
  return texts.filter((cells) => cells.length > 0);
}

const toOrder = (cells: string[]): OrderRowView =>
  Object.fromEntries(orderColumns.map((column, i) => [column, cells[i] ?? ''])) as unknown as OrderRowView;

const figureOrNone = (text: string | undefined) => (text === undefined || text === '—' ? null : Number(text));

function toAnalytics(counts: string[][], latency: string[][]): AnalyticsFigures {
  const latencyOf = (shownName: string) => {
    const [, count, p50, p95] = latency.find((row) => row[0] === shownName) ?? [];
    return { count: Number(count ?? 0), p50: figureOrNone(p50), p95: figureOrNone(p95) };
  };
  return {
    counts: Object.fromEntries(
      counts.map(([state = '', b2c, b2b]) => [state, { b2c: Number(b2c), b2b: Number(b2b) }]),
    ),
    latency: { b2c: latencyOf('B2C'), b2b: latencyOf('B2B') },
  };
}

const toQueue = ([name = '', ...figures]: string[]): QueueRowView => {
  const [messages = 0, ready = 0, unacknowledged = 0, consumers = 0] = figures.map(Number);
  return { name, messages, ready, unacknowledged, consumers };
};

/** Opens a context of its own (locale and time zone fixed, so prices and times read the same everywhere). */
export async function openDashboard(browser: Browser, mesUrl: string): Promise<DashboardPage> {
  const context = await browser.newContext({
    locale: 'en-GB',
    timezoneId: 'UTC',
    viewport: { width: 1440, height: 1000 },
  });
  const page = await context.newPage();
  const ordersTable = page.getByRole('table', { name: 'Orders', exact: true });
  const documentMark = `mes-e2e-${Math.random().toString(36).slice(2)}`;

  const dashboard: DashboardPage = {
    page,
    context,
    async open({ since } = {}) {
      const url = new URL('/', mesUrl);
      if (since !== undefined) url.searchParams.set('since', since);
      await page.goto(url.href);
      await page.getByRole('heading', { name: 'MES dashboard' }).waitFor();
      // The heading is static; the rows come with the first read, which ends with aria-busy="false".
      await ordersShown();
      await page.evaluate((mark) => {
        (globalThis as Record<string, unknown>).mesE2eDocument = mark;
      }, documentMark);
    },
    async orders() {
      return (await bodyRows(ordersTable)).map(toOrder);
    },
    async waitForOrder(id, { state, within }) {
      return eventually(
        async () => {
          const shown = await dashboard.orders();
          const order = shown.find((row) => row.id === id);
          if (!order) throw new Error(`order ${id} not shown; the view shows ${shown.length} other orders`);
          if (state && order.state !== state)
            throw new Error(`order ${id} shown as ${JSON.stringify(order)}`);
          return order;
        },
        { within, description: `the dashboard showing order ${id}${state ? ` as ${state}` : ''}` },
      );
    },
    async filter({ state, segment }) {
      for (const [name, label] of [
        ['State', state],
        ['Segment', segment],
      ] as const) {
        if (label === undefined) continue;
        const select = page.getByRole('combobox', { name });
        // Choosing what is already chosen changes nothing and reads nothing: nothing to wait for.
        if (
          (await select.evaluate((element: HTMLSelectElement) => element.selectedOptions[0]?.label)) === label
        )
          continue;
        await afterOrdersRead(() => select.selectOption({ label }));
      }
    },
    async nextPage() {
      await afterOrdersRead(() => page.getByRole('button', { name: 'Next page' }).click());
    },
    async newestPage() {
      await afterOrdersRead(() => page.getByRole('button', { name: 'Newest' }).click());
    },
    async queue(name) {
      const rows = await bodyRows(page.getByRole('table', { name: 'Queues' }));
      return rows.map(toQueue).find((queue) => queue.name === name);
    },
    async waitForQueue(name, holds, { within, description }) {
      return eventually(
        async () => {
          const queue = await dashboard.queue(name);
          if (!queue) throw new Error(`no row for queue ${name} in the analytics panel`);
          if (!holds(queue)) throw new Error(`queue shown as ${JSON.stringify(queue)}`);
          return queue;
        },
        { within, description },
      );
    },
    async table(name) {
      return bodyRows(page.getByRole('table', { name, exact: true }));
    },
    async analytics() {
      const [counts, latency] = await Promise.all([
        dashboard.table('Order counts'),
        dashboard.table('Latency'),
      ]);
      return toAnalytics(counts, latency);
    },
    async waitForTable(name, holds, { within, description }) {
      return eventually(
        async () => {
          const rows = await dashboard.table(name);
          if (!holds(rows)) throw new Error(`table ${name} shows ${JSON.stringify(rows)}`);
          return rows;
        },
        { within, description },
      );
    },
    async isSameDocument() {
      return page.evaluate(
        (mark) => (globalThis as Record<string, unknown>).mesE2eDocument === mark,
        documentMark,
      );
    },
    async close() {
      await context.close();
    },
  };

  /** Does what reads a page of orders, then waits until that page is read and shown. */
  async function afterOrdersRead(action: () => Promise<unknown>): Promise<void> {
    const read = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/orders');
    await action();
    await read;
    await ordersShown();
  }

  /** The table is busy from a request until its rows are replaced; it has no aria-busy before the first read. */
  async function ordersShown(): Promise<void> {
    await page.locator('table[aria-label="Orders"][aria-busy="false"]').waitFor();
  }

  return dashboard;
}
