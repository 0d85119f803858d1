// The World of one scenario: its own orders and answers, drivers pointed at the run's endpoints, and
// the chaos driver at its fault targets. Nothing here is shared between scenarios except the worker's
// bus observer, which only watches.
import { type IWorldOptions, setWorldConstructor, World } from '@cucumber/cucumber';
import type { OrderLine, Segment } from '../../fixtures/orders.ts';
import type { JsonObject } from '../../src/config/contracts.ts';
import type { Journey } from '../../src/config/journey.ts';
import { type Expected, expectedMediaType } from '../../src/contracts/violations.ts';
import { type BusObserver, observeBus } from '../../src/drivers/bus-observer.ts';
import { type Chaos, createChaos } from '../../src/drivers/chaos.ts';
import { type CrmClient, createCrmClient, type HttpAnswer } from '../../src/drivers/crm-client.ts';
import { type DashboardPage, type OrderRowView, openDashboard } from '../../src/drivers/dashboard-page.ts';
import { createDatabaseProbe, type DatabaseProbe } from '../../src/drivers/database-probe.ts';
import type { Endpoints } from '../../src/drivers/endpoints.ts';
import { databaseOf, httpBaseUrlOf } from '../../src/drivers/endpoints.ts';
import type { FaultTargets } from '../../src/drivers/fault-targets.ts';
import type { AnswerObserver } from '../../src/drivers/http-client.ts';
import { createMesClient, type MesClient } from '../../src/drivers/mes-client.ts';
import { type BusWatch, busWatchOf, observeOptionsOf } from '../../src/journey/bus-watch.ts';
import type { BudgetLimit } from '../../src/journey/timeline.ts';
import { workerBrowser } from './browser.ts';
import { GenericSession } from './generic-session.ts';
import { perWorker } from './per-worker.ts';
import { ScenarioAnswers } from './scenario-answers.ts';

/** What the runner hands every worker (a structured clone: data only): never the environment itself. */
export interface MesWorldParameters {
  /** Where the run's components answer. */
  endpoints: Endpoints;
  /** What the chaos driver may stop, pause, restart or scale out, and how. */
  faultTargets: FaultTargets;
  /** Where screenshots and traces of failed UI scenarios go (reports/<run-id>/artifacts). */
  artifactsDir: string;
  /** The note the run leaves when it stops early: scenarios not started yet are skipped. */
  stopFile?: string;
  /** The Chromium the configuration names; the system's when not given. */
  chromium?: string;
  /** The hops of one order (the plan's journey, resolved against the contracts): what the bus observer
   * watches, what an order's journey is made of, and whose log explains where an order stopped. */
  journey: Journey;
  /** The policy's budgets: those of the scenario's orders are drawn across their journey picture. */
  budgets?: readonly BudgetLimit[];
  /** The dead-letter exchanges the AsyncAPI document names: watched beside the journey's bus hops. */
  deadLetterExchanges: readonly string[];
  /** Each component's OpenAPI document, by component name: every answer it gives is checked against it. */
  openapi?: Readonly<Record<string, JsonObject>>;
}

export interface PlacedOrder {
  customerId: string;
  segment: Segment;
  /** The API version it went through ("v2"). */
  version: string;
  currency: string;
  lines: readonly OrderLine[];
  /** The Idempotency-Key header it carried, if any. */
  idempotencyKey?: string;
  answer: HttpAnswer;
  /** Set once the CRM accepted it. */
  id: string | undefined;
}

/** One observer per worker: opened on first use (again after a broker restart), closed at the end. */
const busOfThisWorker = perWorker<BusObserver>(
  (bus) => bus.isOpen(),
  (bus) => bus.close(),
);

/** The worker's observer, bound as the journey says (one journey per run, so one per worker). */
export const workerBus = (endpoints: Endpoints, watch: BusWatch) =>
  busOfThisWorker.get(() => observeBus(endpoints.rabbitmq.amqpUrl, observeOptionsOf(watch, endpoints)));

export const closeWorkerBus = () => busOfThisWorker.close();

export interface ListReads {
  /** The filter as a query string ("" for none). */
  filter: string;
  timingsMs: number[];
  /** Sequential scans of MES's orders table while these reads ran. */
  sequentialScans: number;
  /** Index scans, by index, while these reads ran. */
  indexScans: Record<string, number>;
}

export class MesWorld extends World<MesWorldParameters> {
  readonly orders: PlacedOrder[] = [];
  /** Every answer of the scenario, in order (a burst of orders, then the one that hit the limit). */
  readonly answers: HttpAnswer[] = [];
  lastAnswer: HttpAnswer | undefined;
  /** Orders per second the scenario measured, by the name it gave each measurement. */
  readonly throughput = new Map<string, number>();
  /** Per throughput measurement, the deepest each queue got while its burst went through. */
  readonly burstQueues = new Map<string, Map<string, number>>();
  /** Orders still arriving in the background ("orders start arriving ..."), until a step awaits them. */
  arrivals: Promise<void> | undefined;
  /** The MES order list's reads per filter: how long each took, and how the database read the orders. */
  readonly listReads: ListReads[] = [];
  /** Message ids of the poison messages the scenario published. */
  readonly poisonIds: string[] = [];
  /** Orders looked for on the dashboard, with when it first showed each (undefined: not yet). */
  readonly dashboardSaw = new Map<string, number | undefined>();
  /** Each order's row as the dashboard last showed it while a step waited for it. */
  readonly dashboardRows = new Map<string, OrderRowView>();
  /** What the generic steps remember, send and watch in this scenario. */
  readonly generic: GenericSession;
  /** Every answer the scenario's drivers get, checked against its component's OpenAPI document. */
  readonly answerContract: ScenarioAnswers;
  private chaosOfScenario: Chaos | undefined;
  private dashboardOfScenario: Promise<DashboardPage> | undefined;
  private databaseOfScenario: DatabaseProbe | undefined;
  private busWatchOfScenario: BusWatch | undefined;
  private crmOfScenario: CrmClient | undefined;
  private mesOfScenario: MesClient | undefined;

  constructor(options: IWorldOptions<MesWorldParameters>) {
    super(options);
    this.generic = new GenericSession(options.parameters.endpoints);
    this.answerContract = new ScenarioAnswers(options.parameters.openapi ?? {}, (text) =>
      this.generic.mask(text),
    );
  }

  /** What a driver speaking to `component` shows each answer to: the scenario's contract checks. */
  answersOf(component: string): AnswerObserver {
    return this.answerContract.observerOf(component);
  }

  /** The reference CRM's client, on first use: a team's pipeline may have no component named crm. */
  get crm(): CrmClient {
    this.crmOfScenario ??= createCrmClient(httpBaseUrlOf(this.endpoints, 'crm'), {
      onAnswer: this.answersOf('crm'),
    });
    return this.crmOfScenario;
  }

  /** The reference MES's client, on first use. */
  get mes(): MesClient {
    this.mesOfScenario ??= createMesClient(httpBaseUrlOf(this.endpoints, 'mes'), {
      onAnswer: this.answersOf('mes'),
    });
    return this.mesOfScenario;
  }

  get endpoints(): Endpoints {
    return this.parameters.endpoints;
  }

  /** Fault injection, created on first use: a scenario that breaks nothing never touches it. */
  get chaos(): Chaos {
    this.chaosOfScenario ??= createChaos(this.parameters.faultTargets);
    return this.chaosOfScenario;
  }

  /** The chaos controller if the scenario used one: the After hook puts back what it broke. */
  usedChaos(): Chaos | undefined {
    return this.chaosOfScenario;
  }

  /**
   * The MES dashboard in the worker's Chromium, opened (and traced) on first use, with `options`: later
   * calls get the page as it was opened.
   */
  dashboard(options: { since?: string } = {}): Promise<DashboardPage> {
    this.dashboardOfScenario ??= (async () => {
      const browser = await workerBrowser(this.parameters.chromium);
      const page = await openDashboard(browser, httpBaseUrlOf(this.endpoints, 'mes'));
      // Recorded from the start, kept only if the scenario fails: the After hook decides.
      await page.context.tracing.start({ screenshots: true, snapshots: true });
      await page.open(options);
      return page;
    })();
    return this.dashboardOfScenario;
  }

  /** Read-only looks into the run's database (the reference services' schemas), opened on first use. */
  get database(): DatabaseProbe {
    this.databaseOfScenario ??= createDatabaseProbe(databaseOf(this.endpoints).databaseUrl);
    return this.databaseOfScenario;
  }

  /** The database probe if the scenario used one: the After hook closes it. */
  usedDatabase(): DatabaseProbe | undefined {
    return this.databaseOfScenario;
  }

  /** The dashboard if the scenario opened one. */
  usedDashboard(): Promise<DashboardPage> | undefined {
    return this.dashboardOfScenario;
  }

  /** The journey of one order, as the plan describes it. */
  get journey(): Journey {
    return this.parameters.journey;
  }

  /** What the bus observer binds to for the journey, and the bus hops it cannot watch. */
  get busWatch(): BusWatch {
    this.busWatchOfScenario ??= busWatchOf(this.journey, this.parameters.deadLetterExchanges);
    return this.busWatchOfScenario;
  }

  bus(): Promise<BusObserver> {
    return workerBus(this.endpoints, this.busWatch);
  }

  /** The key of a named API client of the reference CRM (b2c-web, b2b-portal, partner-acme...). */
  apiKey(name: string): string {
    // The keys the harness generated for its own CRM, else a secret of that name (a CRM given by URL).
    const key = this.endpoints.apiKeys.find((k) => k.name === name)?.key ?? this.endpoints.secrets?.[name];
    if (!key) {
      const known = [
        ...this.endpoints.apiKeys.map((k) => k.name),
        ...Object.keys(this.endpoints.secrets ?? {}),
      ];
      throw new Error(
        `no API key named "${name}" in this environment (known: ${known.join(', ') || 'none'}); for a CRM given by URL, give it as a secret: "secrets": { "${name}": { "env": "..." } }`,
      );
    }
    return key;
  }

  /** The order the scenario placed last: most steps speak of "the order". */
  lastOrder(): PlacedOrder {
    return this.orders.at(-1) ?? assertNever('no order was placed in this scenario yet');
  }

  lastOrderId(): string {
    const order = this.lastOrder();
    if (!order.id) throw new Error(`the CRM did not accept the order (answered ${order.answer.status})`);
    return order.id;
  }

  /**
   * Tells the gate that the scenario itself caused what a rule over the run would count (a message
   * it sent again, a poison message it published and its dead letter): that one is not held against
   * the product.
   */
  async meant(...expected: Expected[]): Promise<void> {
    for (const entry of expected)
      await this.attach(JSON.stringify(entry), { mediaType: expectedMediaType, fileName: 'expected.json' });
  }
}

function assertNever(message: string): never {
  throw new Error(message);
}

setWorldConstructor(MesWorld);
