// Watches the run's bus from the first scenario to the last, as one more observer that takes nothing:
// every message is checked against the AsyncAPI document, and the run keeps what the rules over the
// whole run need (message ids per channel, dead letters, the orders the journey's first bus hop saw).
// At the end it looks at what is left (queues not drained, orders not finished) and hands the gate
// its findings, each with the scenarios that were running when it was seen.
import type { Envelope, Timestamp } from '@cucumber/messages';
import type { JsonObject } from '../config/contracts.ts';
import type { Journey } from '../config/journey.ts';
import { messageChecksOf, type WireMessage } from '../contracts/message-checks.ts';
import type { ContractRule, Violation } from '../contracts/violations.ts';
import { liveQueueCounts, queueBindings, queueFigures } from '../drivers/broker-queues.ts';
import {
  type BusMessage,
  type BusObserver,
  type ObservedBinding,
  observeBus,
} from '../drivers/bus-observer.ts';
import { brokerOwnership, type Endpoints, secretsIn } from '../drivers/endpoints.ts';
import { masker } from '../drivers/log-tail.ts';
import { readState } from '../drivers/state-reader.ts';
import { businessIdOf, deadLetterExchangesOf, isOnChannel } from '../journey/bus-watch.ts';
import { stageOf } from '../journey/hops.ts';
import { eventually } from '../wait/eventually.ts';

export interface WireWatch {
  /** The findings, once the scenarios are over: checks made at the end included. */
  finish(envelopes: readonly Envelope[]): Promise<Violation[]>;
  close(): Promise<void>;
}

/** Finding about a message, before the scenarios it happened in are known. */
type Seen = Violation & { seenAt: number };

const MAX_RECORDED = 500;
const EVIDENCE_CHARS = 500;
/**
 * Work still in flight at the end may settle: the end-of-run checks look again while it makes
 * progress, and stop once nothing has moved for STALL_MS (or at SETTLE_MS in all).
 */
const SETTLE_MS = 30_000;
const STALL_MS = 3_000;

/**
 * Looks until `left` is empty or stops shrinking; resolves with what is left then. `amount` says how
 * much work is left (for queues, the messages they hold: one queue working off its backlog is progress);
 * while `busy` holds (a consumer is working on a message), nothing counts as stalled, up to SETTLE_MS.
 */
export async function settled<T>(
  look: () => Promise<T[]>,
  progress: { amount?: (left: T[]) => number; busy?: (left: T[]) => boolean } = {},
): Promise<T[]> {
  const { amount = (items: T[]) => items.length, busy = () => false } = progress;
  let left = await look();
  let least = amount(left);
  let movedAt = Date.now();
  if (left.length === 0) return left;
  await eventually(
    async () => {
      left = await look();
      if (amount(left) < least || busy(left)) [least, movedAt] = [Math.min(least, amount(left)), Date.now()];
      return left.length === 0 || Date.now() - movedAt >= STALL_MS || undefined;
    },
    { within: SETTLE_MS, every: 250, maxEvery: 1000, description: 'work in flight to settle' },
  ).catch(() => {});
  return left;
}

/** Every exchange the document names, bound so that any message on it is copied (any routing key). */
function bindingsOf(document: JsonObject, deadLetterExchanges: readonly string[]): ObservedBinding[] {
  const bindings = new Map<string, ObservedBinding>();
  const objectAt = (value: unknown) =>
    value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  for (const channel of Object.values(objectAt(document.channels) ?? {})) {
    const amqp = objectAt(objectAt(objectAt(channel)?.bindings)?.amqp);
    const exchange = objectAt(amqp?.exchange);
    if (amqp?.is === 'queue' || typeof exchange?.name !== 'string' || exchange.name === '') continue;
    const type = typeof exchange.type === 'string' ? exchange.type : 'topic';
    // A direct exchange has no wildcard: its channels' own keys would be needed; a topic one shows all.
    if (type === 'direct') continue;
    const bindingKey = type === 'topic' ? '#' : '';
    bindings.set(exchange.name, { exchange: exchange.name, bindingKey, type });
  }
  for (const exchange of deadLetterExchanges)
    if (!bindings.has(exchange)) bindings.set(exchange, { exchange, bindingKey: '', type: 'fanout' });
  return [...bindings.values()];
}

export async function watchWire(options: {
  asyncapi: JsonObject;
  journey: Journey;
  endpoints: Endpoints;
  /** The policy's switches: a check switched off is not made (the end-of-run ones take time). */
  rules: Readonly<Record<ContractRule, boolean>>;
  onProgress(message: string): void;
}): Promise<WireWatch> {
  const { asyncapi, journey, endpoints, rules } = options;
  const checks = messageChecksOf(asyncapi);
  const deadLetterExchanges = deadLetterExchangesOf(asyncapi);
  const mask = masker(secretsIn(endpoints));
  const evidenceOf = (message: BusMessage) => {
    const { seenAt: _, ...shown } = message;
    const text = mask(
      JSON.stringify(shown, (_key, value) => (Buffer.isBuffer(value) ? value.toString() : value)),
    );
    return text.length > EVIDENCE_CHARS ? `${text.slice(0, EVIDENCE_CHARS - 1)}…` : text;
  };
  const found: Seen[] = [];
  let unrecorded = 0;
  const record = (finding: Seen) => {
    if (found.length < MAX_RECORDED) found.push(finding);
    else unrecorded += 1;
  };
  const published = new Map<string, { count: number; message: BusMessage; channel: string }>();
  const started = new Map<string, number>();
  const firstHop = journey.hops.find((hop) => hop.kind === 'bus');

  const onMessage = (message: BusMessage) => {
    const wire: WireMessage = message;
    if (rules['message-contract'])
      for (const violation of checks.check(wire))
        record({ ...violation, evidence: evidenceOf(message), seenAt: message.seenAt });
    if (checks.isDeadLetter(wire)) {
      const reason = message.headers['x-rejection-reason'] ?? message.headers['x-first-death-reason'];
      record({
        rule: 'unexpected-dead-letter',
        where: `exchange ${message.exchange}, from routing key ${message.routingKey}`,
        problem: `a message was dead-lettered${reason ? `: ${String(reason)}` : ''}`,
        evidence: evidenceOf(message),
        ...(message.messageId ? { messageId: message.messageId } : {}),
        seenAt: message.seenAt,
      });
      return;
    }
    const channel = checks.channelOf(wire) ?? `${message.exchange} ${message.routingKey}`;
    if (message.messageId) {
      const key = `${channel}\u0000${message.messageId}`;
      const entry = published.get(key);
      if (entry) entry.count += 1;
      else published.set(key, { count: 1, message, channel });
    }
    if (firstHop?.kind === 'bus' && firstHop.channels.some((c) => isOnChannel(message, c))) {
      const id = businessIdOf(message, firstHop.id);
      if (id && !started.has(id)) started.set(id, message.seenAt);
    }
  };

  const ownership = brokerOwnership(endpoints);
  const bindings = bindingsOf(asyncapi, deadLetterExchanges);
  let observer: BusObserver | undefined;
  let closed = false;
  let gaps = 0;
  const open = async (): Promise<BusObserver> => {
    observer = await observeBus(endpoints.rabbitmq.amqpUrl, {
      bindings,
      ...ownership,
      onMessage,
      keep: false,
      onLost: () => void reopen(),
    });
    return observer;
  };
  // A broker restart (a scenario's own fault) takes the watch's queue with it: it opens again once
  // the broker is back, and says that messages in between were not checked.
  const reopen = async () => {
    gaps += 1;
    await eventually(async () => (closed ? true : await open().catch(() => undefined)), {
      within: 300_000,
      every: 500,
      maxEvery: 2000,
      description: 'the broker to take the contract watch again',
    }).catch(() => {});
  };
  await open();
  if (observer?.blind) options.onProgress(`contracts on the wire: not checked (${observer.blind})`);

  return {
    async finish(envelopes) {
      if (gaps > 0)
        options.onProgress(
          `contracts on the wire: the broker went away ${gaps} time(s) during the run; messages sent meanwhile were not checked`,
        );
      const atEnd = observer?.blind ? [] : await endOfRunFindings();
      const findings = [...found, ...duplicates(), ...atEnd];
      if (unrecorded > 0)
        options.onProgress(
          `contracts on the wire: ${unrecorded} more findings were not recorded (first ${MAX_RECORDED} kept)`,
        );
      return attribute(findings, envelopes);
    },
    async close() {
      closed = true;
      await observer?.close();
    },
  };

  function duplicates(): Seen[] {
    return [...published.values()]
      .filter((entry) => entry.count > 1)
      .map(({ count, message, channel }) => ({
        rule: 'duplicate-publish',
        where: `channel ${channel}`,
        problem: `a message id was published ${count} times`,
        evidence: evidenceOf(message),
        ...(message.messageId ? { messageId: message.messageId } : {}),
        seenAt: message.seenAt,
      }));
  }

  async function endOfRunFindings(): Promise<Seen[]> {
    const [left, orphans] = await Promise.all([
      rules['queues-drained'] ? queuesLeft() : [],
      rules['orphan-order'] ? unfinishedOrders() : [],
    ]);
    return [...left, ...orphans];
  }

  async function queuesLeft(): Promise<Seen[]> {
    const { managementUrl, vhost, amqpUrl } = endpoints.rabbitmq;
    if (!managementUrl) return [];
    const deadLetterQueues = new Set<string>();
    const isDeadLetterQueue = async (queue: string) => {
      if (!deadLetterQueues.has(queue)) {
        const from = await queueBindings(managementUrl, vhost, queue).catch(() => []);
        if (from.some((binding) => deadLetterExchanges.includes(binding.exchange)))
          deadLetterQueues.add(queue);
      }
      return deadLetterQueues.has(queue);
    };
    // The management API names the queues and their unacknowledged messages (sampled every few
    // seconds); the broker itself says, now, how many are ready.
    const holding = async () => {
      const sampled = await queueFigures(managementUrl, vhost);
      const live = await liveQueueCounts(
        amqpUrl,
        sampled.map((queue) => queue.name),
      );
      const figures = sampled.map((queue) => {
        const now = live.get(queue.name);
        const ready = now?.ready ?? queue.ready;
        return {
          ...queue,
          ready,
          consumers: now?.consumers ?? queue.consumers,
          messages: ready + queue.unacknowledged,
        };
      });
      const left = [];
      for (const queue of figures)
        if (queue.messages > 0 && !(await isDeadLetterQueue(queue.name))) left.push(queue);
      return left;
    };
    // A message a consumer holds unacknowledged is being worked on (a costly B2B price): not a stall.
    const last = await settled(holding, {
      amount: (queues) => queues.reduce((sum, queue) => sum + queue.messages, 0),
      busy: (queues) => queues.some((queue) => queue.unacknowledged > 0 && queue.consumers > 0),
    });
    const now = Date.now();
    return last.map((queue) => ({
      rule: 'queues-drained',
      where: `queue ${queue.name}`,
      problem: `holds ${queue.messages} messages at the end of the run (${queue.ready} ready, ${queue.unacknowledged} unacknowledged, ${queue.consumers} consumers)`,
      seenAt: now,
    }));
  }

  async function unfinishedOrders(): Promise<Seen[]> {
    if (started.size === 0) return [];
    const finished = new Set<string>();
    const lastStage = new Map<string, string>();
    const look = async () => {
      const pending = [...started.keys()].filter((id) => !finished.has(id));
      for (let i = 0; i < pending.length; i += 8) {
        await Promise.all(
          pending.slice(i, i + 8).map(async (id) => {
            const state = await readState(endpoints, journey.state, id, { timeoutMs: 5_000 });
            const stage = stageOf(journey, state);
            if (stage === 'done' || stage === 'failed') finished.add(id);
            else lastStage.set(id, stage ?? (state.outcome === 'found' ? 'an unknown state' : state.outcome));
          }),
        );
      }
      return [...started.keys()].filter((id) => !finished.has(id));
    };
    await settled(look);
    return [...started]
      .filter(([id]) => !finished.has(id))
      .map(([id, seenAt]) => ({
        rule: 'orphan-order',
        where: `${journey.state.component} ${journey.state.method.toUpperCase()} ${journey.state.path}`,
        problem: `an order the bus saw start did not reach a final state (it is ${lastStage.get(id) ?? 'unknown'})`,
        evidence: `order ${id}`,
        businessId: id,
        seenAt,
      }));
  }
}

const millisOf = (timestamp: Timestamp | undefined) =>
  timestamp ? timestamp.seconds * 1000 + Math.floor(timestamp.nanos / 1e6) : undefined;

/**
 * Names the scenarios that were running when each finding was seen; one seen between scenarios
 * belongs to the one that finished last before it (work it left in flight).
 */
export function attribute(findings: readonly Seen[], envelopes: readonly Envelope[]): Violation[] {
  const names = new Map<string, string>();
  const testCases = new Map<string, string>();
  const windows = new Map<string, { name: string; from: number; to: number }>();
  for (const { pickle, testCase, testCaseStarted, testCaseFinished } of envelopes) {
    if (pickle) names.set(pickle.id, pickle.name);
    if (testCase) testCases.set(testCase.id, testCase.pickleId);
    if (testCaseStarted)
      windows.set(testCaseStarted.id, {
        name: names.get(testCases.get(testCaseStarted.testCaseId) ?? '') ?? '(unnamed)',
        from: millisOf(testCaseStarted.timestamp) ?? 0,
        to: Number.POSITIVE_INFINITY,
      });
    if (testCaseFinished) {
      const window = windows.get(testCaseFinished.testCaseStartedId);
      if (window) window.to = millisOf(testCaseFinished.timestamp) ?? window.to;
    }
  }
  const all = [...windows.values()];
  return findings.map(({ seenAt, ...violation }) => {
    const during = all.filter((w) => w.from <= seenAt && seenAt <= w.to).map((w) => w.name);
    const before = all.filter((w) => w.to < seenAt).sort((a, b) => b.to - a.to)[0];
    const scenarios = [...new Set(during.length > 0 ? during : before ? [before.name] : [])];
    return scenarios.length > 0 ? { ...violation, scenarios } : violation;
  });
}
