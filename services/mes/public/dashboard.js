// The MES dashboard: the orders view (filters, keyset paging, live through server-sent events) and
// the analytics panel (polled from /api/metrics). Plain DOM and Chart.js; text is set with
// textContent only, since order fields come from clients of the CRM.

const pageSize = 50;
const metricsEveryMs = 2_000;
/** Changes arrive in bursts: one re-read of the page per burst, not one per order. */
const refreshAfterChangeMs = 150;
/** Five minutes of queue depth at one poll every two seconds. */
const depthHistoryPoints = 150;

const states = ['received', 'pricing', 'priced', 'pricing_failed'];
const stateNames = {
  received: 'Received',
  pricing: 'Pricing',
  priced: 'Priced',
  pricing_failed: 'Pricing failed',
};
const segmentNames = { b2c: 'B2C', b2b: 'B2B' };
const segmentColours = { b2c: '#2458d6', b2b: '#d9822b' };
const queueColours = ['#2458d6', '#d9822b', '#2e9e5b', '#8a1c1c', '#7a4cc2', '#5c667a'];

const element = (id) => document.getElementById(id);
const filtersForm = element('filters');
/** ?since=<ISO time>: the analytics panel counts only the orders created from then on (a shift, a test). */
const countedSince = new URLSearchParams(location.search).get('since');

// --- orders view ---------------------------------------------------------------------------------

/** Cursors of the pages visited, newest first: the last one is the page shown (null: the newest). */
const visited = [null];
let nextCursor = null;
let loading;
let reloadAgain = false;

function currentFilters() {
  const form = new FormData(filtersForm);
  return { status: form.get('status') || '', segment: form.get('segment') || '' };
}

function ordersUrl(cursor) {
  const query = new URLSearchParams({ limit: String(pageSize) });
  for (const [name, value] of Object.entries(currentFilters())) if (value) query.set(name, value);
  if (cursor) query.set('after', cursor);
  return `api/orders?${query}`;
}

const onNewestPage = () => visited.length === 1;

/** Reads the page shown; a reload asked for while one is under way runs once after it. */
function loadOrders() {
  if (loading) {
    reloadAgain = true;
    return loading;
  }
  loading = fetchPage()
    .catch((error) => {
      element('orders-status').textContent =
        `Could not load orders: ${error.message}. Retrying on the next change.`;
    })
    .finally(() => {
      loading = undefined;
      if (reloadAgain) {
        reloadAgain = false;
        void loadOrders();
      }
    });
  return loading;
}

async function fetchPage() {
  const table = element('order-rows').closest('table');
  table.setAttribute('aria-busy', 'true');
  try {
    const response = await fetch(ordersUrl(visited.at(-1)));
    const body = await response.json();
    if (!response.ok) throw new Error(`MES answered ${response.status}: ${body.message ?? body.error}`);
    nextCursor = body.nextCursor;
    renderOrders(body.orders);
  } finally {
    table.setAttribute('aria-busy', 'false');
  }
}

function renderOrders(orders) {
  element('order-rows').replaceChildren(...orders.map(orderRow));
  element('next').disabled = !nextCursor;
  element('previous').disabled = onNewestPage();
  element('newest').disabled = onNewestPage();
  const page = visited.length;
  element('orders-status').textContent =
    orders.length === 0
      ? 'No orders match these filters.'
      : `Page ${page}: ${orders.length} order${orders.length === 1 ? '' : 's'}${nextCursor ? ', more on the next page' : ''}.`;
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '—');

function price(order) {
  if (order.totalCents === null)
    return order.status === 'pricing_failed' ? (order.failureReason ?? '—') : '—';
  return new Intl.NumberFormat(undefined, { style: 'currency', currency: order.currency }).format(
    order.totalCents / 100,
  );
}

function orderRow(order) {
  const row = document.createElement('tr');
  const state = document.createElement('span');
  state.className = `state state-${order.status}`;
  state.textContent = stateNames[order.status] ?? order.status;
  const stateCell = cell('');
  stateCell.append(state);
  const created = cell(time(order.createdAt));
  created.title = order.createdAt;
  row.append(
    cell(order.id, 'order-id'),
    cell(segmentNames[order.segment] ?? order.segment),
    cell(order.customerId),
    stateCell,
    cell(price(order), 'number'),
    created,
    cell(time(order.pricedAt)),
  );
  return row;
}

function showFirstPage() {
  visited.splice(1);
  void loadOrders();
}

filtersForm.addEventListener('change', () => {
  const query = new URLSearchParams(countedSince ? { since: countedSince } : {});
  for (const [name, value] of Object.entries(currentFilters())) if (value) query.set(name, value);
  history.replaceState(null, '', query.size ? `?${query}` : location.pathname);
  showFirstPage();
});
element('newest').addEventListener('click', showFirstPage);
element('next').addEventListener('click', () => {
  if (!nextCursor) return;
  visited.push(nextCursor);
  void loadOrders();
});
element('previous').addEventListener('click', () => {
  if (visited.length > 1) visited.pop();
  void loadOrders();
});

// --- live updates --------------------------------------------------------------------------------

let refreshTimer;
let missedOnOlderPages = 0;

function onOrdersChanged(event) {
  if (!onNewestPage()) {
    missedOnOlderPages += JSON.parse(event.data).ids.length;
    element('live').textContent =
      `Live: ${missedOnOlderPages} change(s) since this page was read; Newest shows them.`;
    return;
  }
  // A debounce, not a pause: it gathers a burst of changes into one read of the page.
  if (refreshTimer !== undefined) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = undefined;
    void loadOrders();
  }, refreshAfterChangeMs);
}

function followChanges() {
  const events = new EventSource('api/orders/events');
  let lost = false;
  events.addEventListener('open', () => {
    element('live').textContent = 'Live: new and priced orders appear as they happen.';
    // Changes made while the stream was down were never sent: read the page again.
    if (lost && onNewestPage()) void loadOrders();
    lost = false;
  });
  events.addEventListener('error', () => {
    lost = true;
    element('live').textContent = 'Live updates lost: reconnecting to MES…';
  });
  events.addEventListener('orders', onOrdersChanged);
}

// --- analytics panel -----------------------------------------------------------------------------

const charts = {};
const depthHistory = { labels: [], byQueue: new Map() };

function chart(id, config) {
  if (!globalThis.Chart) return undefined; // the tables below still show every figure
  charts[id] ??= new globalThis.Chart(element(id), {
    ...config,
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { legend: { position: 'bottom', labels: { boxWidth: 10, font: { size: 11 } } } },
      ...config.options,
    },
  });
  return charts[id];
}

function describe(id, text) {
  element(id).setAttribute('aria-label', text);
}

async function refreshMetrics() {
  try {
    const response = await fetch(
      countedSince ? `api/metrics?${new URLSearchParams({ since: countedSince })}` : 'api/metrics',
    );
    if (!response.ok) {
      const refusal = await response.json().catch(() => ({}));
      throw new Error(`MES answered ${response.status}${refusal.message ? ` (${refusal.message})` : ''}`);
    }
    const metrics = await response.json();
    renderQueues(metrics.queues);
    renderCounts(metrics.orders);
    renderThroughput(metrics.throughput);
    renderLatency(metrics.latency, metrics.since);
    renderReplica(metrics.replica);
    const queueNote = metrics.queues.available ? '' : ` Queue figures unavailable: ${metrics.queues.reason}.`;
    const counted = metrics.since ? ` created since ${time(metrics.since)}` : '';
    element('analytics-status').textContent =
      `${metrics.orders.total} orders${counted}; updated ${time(metrics.generatedAt)}.${queueNote}`;
  } catch (error) {
    element('analytics-status').textContent = `Could not read metrics: ${error.message}. Retrying.`;
  }
}

const replicaStates = { streaming: 'Streaming', down: 'Down', none: 'None' };
const dataSources = { replica: 'Replica', primary: 'Primary' };

/** The database's read replica: whether it streams, how far behind it is, where MES reads from. */
function renderReplica(replica) {
  if (!replica) return;
  const lag = (ms) => (ms === null ? '–' : String(ms));
  const row = document.createElement('tr');
  row.append(
    cell(replicaStates[replica.state] ?? replica.state),
    cell(dataSources[replica.readsFrom] ?? replica.readsFrom),
    cell(lag(replica.lagMs), 'number'),
    cell(lag(replica.maxLagMs), 'number'),
  );
  element('replica-rows').replaceChildren(row);
  const says = {
    streaming: `Replica streaming, lag ${lag(replica.lagMs)} ms: reading from the ${replica.readsFrom}.`,
    down: `Replica down — reading from ${replica.readsFrom}${replica.reason ? ` (${replica.reason})` : ''}.`,
    none: 'No replica — reading from primary.',
  };
  element('replica-status').textContent = says[replica.state] ?? replica.state;
}

function renderQueues(queues) {
  if (!queues.available) {
    element('queue-rows').replaceChildren();
    return;
  }
  element('queue-rows').replaceChildren(
    ...queues.queues.map((queue) => {
      const row = document.createElement('tr');
      if (queue.name.endsWith('.dead')) row.className = 'dead-letters';
      row.append(
        cell(queue.name),
        cell(String(queue.messages), 'number'),
        cell(String(queue.ready), 'number'),
        cell(String(queue.unacknowledged), 'number'),
        cell(String(queue.consumers), 'number'),
      );
      return row;
    }),
  );
  depthHistory.labels.push(new Date().toLocaleTimeString());
  for (const queue of queues.queues) {
    const points = depthHistory.byQueue.get(queue.name) ?? [];
    points.push(queue.messages);
    depthHistory.byQueue.set(queue.name, points);
  }
  if (depthHistory.labels.length > depthHistoryPoints) {
    depthHistory.labels.shift();
    for (const points of depthHistory.byQueue.values()) points.shift();
  }
  const depth = chart('queue-depth-chart', {
    type: 'line',
    data: { labels: [], datasets: [] },
    options: {
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      elements: { point: { radius: 0 } },
    },
  });
  if (depth) {
    depth.data.labels = depthHistory.labels;
    depth.data.datasets = [...depthHistory.byQueue].map(([name, points], i) => ({
      label: name,
      data: points,
      borderColor: queueColours[i % queueColours.length],
      backgroundColor: queueColours[i % queueColours.length],
      borderDash: name.endsWith('.dead') ? [4, 3] : [],
      borderWidth: 2,
    }));
    depth.update();
  }
  describe(
    'queue-depth-chart',
    `Queue depth now: ${queues.queues.map((queue) => `${queue.name} ${queue.messages}`).join(', ')}`,
  );
}

function renderCounts(orders) {
  const count = (status, segment) =>
    orders.byStatusAndSegment.find((row) => row.status === status && row.segment === segment)?.count ?? 0;
  element('count-rows').replaceChildren(
    ...states.map((status) => {
      const row = document.createElement('tr');
      row.append(
        cell(stateNames[status]),
        cell(String(count(status, 'b2c')), 'number'),
        cell(String(count(status, 'b2b')), 'number'),
      );
      return row;
    }),
  );
  const bars = chart('orders-chart', {
    type: 'bar',
    data: { labels: states.map((status) => stateNames[status]), datasets: [] },
    options: {
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
  if (bars) {
    bars.data.datasets = Object.entries(segmentNames).map(([segment, name]) => ({
      label: name,
      data: states.map((status) => count(status, segment)),
      backgroundColor: segmentColours[segment],
    }));
    bars.update();
  }
  describe(
    'orders-chart',
    `Orders by state: ${states.map((status) => `${stateNames[status]} ${count(status, 'b2c') + count(status, 'b2b')}`).join(', ')}`,
  );
}

function renderThroughput(throughput) {
  // Every minute of the window, with zero where nothing was priced.
  const perMinute = new Map(
    throughput.pricedPerMinute.map((row) => [new Date(row.minute).getTime(), row.count]),
  );
  const now = Math.floor(Date.now() / 60_000) * 60_000;
  const minutes = Array.from(
    { length: throughput.windowMinutes },
    (_, i) => now - (throughput.windowMinutes - 1 - i) * 60_000,
  );
  const line = chart('throughput-chart', {
    type: 'bar',
    data: { labels: [], datasets: [] },
    options: {
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
    },
  });
  if (line) {
    line.data.labels = minutes.map((minute) =>
      new Date(minute).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }),
    );
    line.data.datasets = [
      {
        label: 'Priced per minute',
        data: minutes.map((minute) => perMinute.get(minute) ?? 0),
        backgroundColor: '#2e9e5b',
      },
    ];
    line.update();
  }
  describe(
    'throughput-chart',
    `Orders priced in the last minute: ${perMinute.get(now) ?? 0}; over ${throughput.windowMinutes} minutes: ${[...perMinute.values()].reduce((a, b) => a + b, 0)}`,
  );
}

function renderLatency(latency, since) {
  const segments = Object.keys(segmentNames);
  const figure = (segment, statistic) => latency.createdToPricedMs[segment]?.[statistic] ?? null;
  element('latency-rows').replaceChildren(
    ...segments.map((segment) => {
      const row = document.createElement('tr');
      row.append(
        cell(segmentNames[segment]),
        cell(String(figure(segment, 'count') ?? 0), 'number'),
        cell(String(figure(segment, 'p50') ?? '—'), 'number'),
        cell(String(figure(segment, 'p95') ?? '—'), 'number'),
      );
      return row;
    }),
  );
  const bars = chart('latency-chart', {
    type: 'bar',
    data: { labels: segments.map((segment) => segmentNames[segment]), datasets: [] },
    options: { scales: { y: { beginAtZero: true } } },
  });
  if (bars) {
    bars.data.datasets = [
      { label: 'p50', data: segments.map((segment) => figure(segment, 'p50')), backgroundColor: '#7a9be6' },
      { label: 'p95', data: segments.map((segment) => figure(segment, 'p95')), backgroundColor: '#2458d6' },
    ];
    bars.update();
  }
  describe(
    'latency-chart',
    `Created-to-priced over ${latency.windowMinutes} minutes${since ? ` of orders created since ${time(since)}` : ''}: ${segments
      .map(
        (segment) =>
          `${segmentNames[segment]} p50 ${figure(segment, 'p50') ?? 'none'} ms, p95 ${figure(segment, 'p95') ?? 'none'} ms`,
      )
      .join('; ')}`,
  );
}

// --- start ---------------------------------------------------------------------------------------

for (const [name, value] of new URLSearchParams(location.search)) {
  const field = filtersForm.elements.namedItem(name);
  if (field) field.value = value;
}
followChanges();
void loadOrders();
void refreshMetrics();
let metricsInFlight = false;
setInterval(async () => {
  if (metricsInFlight || document.hidden) return;
  metricsInFlight = true;
  await refreshMetrics();
  metricsInFlight = false;
}, metricsEveryMs);
