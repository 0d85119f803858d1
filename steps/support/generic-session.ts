// What the generic steps keep for one scenario: remembered values, headers for its next requests and
// messages, its query, its timers and its bus capture; the scope of its placeholders, and the
// masking of everything it attaches to the report.
import { randomUUID } from 'node:crypto';
import { type BusCapture, openBusCapture } from '../../src/drivers/bus-capture.ts';
import {
  type BrokerOwnership,
  brokerOwnership,
  type Endpoints,
  secretsIn,
} from '../../src/drivers/endpoints.ts';
import { masker } from '../../src/drivers/log-tail.ts';
import type { BusMessage } from '../../src/drivers/message-log.ts';
import type { PlaceholderScope } from '../../src/match/placeholders.ts';

export interface PublishedMessage {
  exchange: string;
  routingKey: string;
  messageId: string;
}

/** user:password@ in any URL of a text. */
const urlPassword = /(\/\/[^/:@\s]+:)[^@\s/]+@/g;

export interface SentRequest {
  method: string;
  component: string;
  path: string;
}

export class GenericSession {
  readonly remembered = new Map<string, unknown>();
  /** Headers every later request of the scenario carries, whatever the component. */
  readonly requestHeaders = new Map<string, string>();
  /** Headers every later published message carries. */
  messageHeaders: Record<string, string> = {};
  /** The request of the last answer, to say whose answer an expectation failed on. */
  lastRequest: SentRequest | undefined;
  /** The media type of the current step's doc string ("""text, """json), set before each step. */
  docStringMediaType: string | undefined;
  /** The last message an expectation matched, for "the message's JSON at ...". */
  lastMessage: BusMessage | undefined;
  lastPublished: PublishedMessage | undefined;
  query: string | undefined;
  /** Timer name -> when it started (performance.now()). */
  readonly timers = new Map<string, number>();
  private readonly endpoints: Endpoints;
  private readonly maskSecrets: (text: string) => string;
  private captureOfScenario: Promise<BusCapture> | undefined;
  private attached = 0;

  constructor(endpoints: Endpoints) {
    this.endpoints = endpoints;
    this.maskSecrets = masker(secretsIn(endpoints));
  }

  /** {name} of a remembered value; {uuid} (fresh at each use), {run.id}, {secret.<API key name>}. */
  scope(): PlaceholderScope {
    const secrets = new Map([
      ...this.endpoints.apiKeys.map((key): [string, string] => [`secret.${key.name}`, key.key]),
      ...Object.entries(this.endpoints.secrets ?? {}).map(([name, value]): [string, string] => [
        `secret.${name}`,
        value,
      ]),
    ]);
    return {
      lookup: (name) => {
        if (this.remembered.has(name)) return { value: this.remembered.get(name) };
        if (name === 'uuid') return { value: randomUUID() };
        if (name === 'run.id') return { value: this.endpoints.runId };
        return secrets.has(name) ? { value: secrets.get(name) } : undefined;
      },
      names: () => [...this.remembered.keys(), 'uuid', 'run.id', ...secrets.keys()],
    };
  }

  /** Whether the run may declare a queue of its own on the broker, and if not, why. */
  brokerOwnership(): BrokerOwnership {
    return brokerOwnership(this.endpoints);
  }

  /** The scenario's own capture of the exchanges it names, opened on first use. */
  capture(): Promise<BusCapture> {
    this.captureOfScenario ??= openBusCapture(this.endpoints.rabbitmq.amqpUrl, this.brokerOwnership());
    return this.captureOfScenario;
  }

  /** The capture if the scenario opened one: the After hook closes it. */
  usedCapture(): Promise<BusCapture> | undefined {
    return this.captureOfScenario;
  }

  /** API keys and passwords (of the endpoints, and in any URL) replaced by ***. */
  mask(text: string): string {
    return this.maskSecrets(text).replace(urlPassword, '$1***@');
  }

  /** A numbered file name, so the report lists a scenario's exchanges in order. */
  nextAttachmentName(kind: string): string {
    this.attached += 1;
    return `${String(this.attached).padStart(2, '0')}-${kind}.json`;
  }
}
