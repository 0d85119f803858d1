// The World of one scenario: its own orders and answers, drivers pointed at the run's environment.
// Nothing here is shared between scenarios except the worker's bus observer, which only watches.
import { type IWorldOptions, setWorldConstructor, World } from '@cucumber/cucumber';
import type { OrderLine, Segment } from '../../fixtures/orders.ts';
import { type BusObserver, observeBus } from '../../src/drivers/bus-observer.ts';
import { type Chaos, createChaos } from '../../src/drivers/chaos.ts';
import { type CrmClient, createCrmClient, type HttpAnswer } from '../../src/drivers/crm-client.ts';
import { createMesClient, type MesClient } from '../../src/drivers/mes-client.ts';
import type { EnvironmentRecord } from '../../src/environment/environment.ts';

/** What the runner hands every worker (a structured clone: data only). */
export interface MesWorldParameters {
  environment: EnvironmentRecord;
}

export interface PlacedOrder {
  customerId: string;
  segment: Segment;
  currency: string;
  lines: readonly OrderLine[];
  answer: HttpAnswer;
  /** Set once the CRM accepted it. */
  id: string | undefined;
}

let busOfThisWorker: Promise<BusObserver> | undefined;

/** One observer per worker: opened on first use (again after a broker restart), closed at the end. */
export async function workerBus(amqpUrl: string): Promise<BusObserver> {
  const current = await busOfThisWorker?.catch(() => undefined);
  if (!current?.isOpen()) busOfThisWorker = observeBus(amqpUrl);
  return busOfThisWorker ?? observeBus(amqpUrl);
}

export async function closeWorkerBus(): Promise<void> {
  const bus = busOfThisWorker;
  busOfThisWorker = undefined;
  await (await bus?.catch(() => undefined))?.close();
}

export class MesWorld extends World<MesWorldParameters> {
  readonly crm: CrmClient;
  readonly mes: MesClient;
  readonly orders: PlacedOrder[] = [];
  /** Every answer of the scenario, in order (a burst of orders, then the one that hit the limit). */
  readonly answers: HttpAnswer[] = [];
  lastAnswer: HttpAnswer | undefined;
  /** Orders per second the scenario measured, by the name it gave each measurement. */
  readonly throughput = new Map<string, number>();
  /** Message ids of the poison messages the scenario published. */
  readonly poisonIds: string[] = [];
  private chaosOfScenario: Chaos | undefined;

  constructor(options: IWorldOptions<MesWorldParameters>) {
    super(options);
    const { endpoints } = options.parameters.environment;
    this.crm = createCrmClient(endpoints.crm.url);
    this.mes = createMesClient(endpoints.mes.url);
  }

  get environment(): EnvironmentRecord {
    return this.parameters.environment;
  }

  /** Fault injection, created on first use: a scenario that breaks nothing never touches it. */
  get chaos(): Chaos {
    this.chaosOfScenario ??= createChaos(this.environment);
    return this.chaosOfScenario;
  }

  /** The chaos controller if the scenario used one: the After hook puts back what it broke. */
  usedChaos(): Chaos | undefined {
    return this.chaosOfScenario;
  }

  bus(): Promise<BusObserver> {
    return workerBus(this.environment.endpoints.rabbitmq.amqpUrl);
  }

  /** The key of a named API client of the reference CRM (b2c-web, b2b-portal, partner-acme...). */
  apiKey(name: string): string {
    const key = this.environment.endpoints.crm.apiKeys.find((k) => k.name === name)?.key;
    if (!key) {
      const known = this.environment.endpoints.crm.apiKeys.map((k) => k.name).join(', ');
      throw new Error(`no API key named "${name}" in this environment (known: ${known || 'none'})`);
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
}

function assertNever(message: string): never {
  throw new Error(message);
}

setWorldConstructor(MesWorld);
