// What the bus observer binds to, from the journey description: the exchanges and routing keys of the
// journey's bus hops (their AsyncAPI channels) and the dead-letter exchanges the AsyncAPI document
// names; which messages belong to a hop; and the business id of a message, read where the journey says.
import type { JsonObject } from '../config/contracts.ts';
import type { BusChannel, BusHop, Journey } from '../config/journey.ts';
import {
  type BusMessage,
  type BusObserver,
  type ObservedBinding,
  type ObserveOptions,
  observeBus,
} from '../drivers/bus-observer.ts';
import { brokerOwnership, type Endpoints } from '../drivers/endpoints.ts';
import { routingKeyMatches } from '../drivers/topic-pattern.ts';
import { JsonPathError, valueAt } from '../match/json-path.ts';

/** The observer's bindings, and the bus hops it cannot watch without taking messages (with why). */
export interface BusWatch {
  bindings: ObservedBinding[];
  /** Hop name -> why no copy of its messages can be had: such a hop is "unknown", never guessed. */
  unwatchable: Record<string, string>;
}

const parameter = /\{([^}]*)\}/g;
/** More keys than this and a word's listed values give way to a wildcard. */
const maxKeys = 32;

/**
 * The routing keys a channel's address stands for: each {parameter} replaced by the values the
 * document lists for it, or by the topic wildcard "*" (one word) when it lists none.
 */
export function routingKeysOf(channel: BusChannel): string[] {
  if (channel.address === null) return ['#'];
  const words = channel.address.split('.').map((word) => {
    const names = [...word.matchAll(parameter)].map((match) => match[1] ?? '');
    if (names.length === 0) return [word];
    const listed = names.map((name) => channel.parameters?.[name]);
    if (listed.some((values) => values === undefined)) return ['*'];
    let forms = [word];
    names.forEach((name, i) => {
      forms = forms.flatMap((form) => (listed[i] ?? []).map((value) => form.replace(`{${name}}`, value)));
    });
    return forms;
  });
  let keys = [''];
  for (const forms of words)
    keys = keys.flatMap((key) => forms.map((form) => (key ? `${key}.${form}` : form)));
  if (keys.length <= maxKeys) return keys;
  return [words.map((forms) => (forms.length > 1 ? '*' : forms[0])).join('.')];
}

/** The bindings that copy what a channel carries, or why there are none. */
function bindingsOf(channel: BusChannel): ObservedBinding[] | string {
  if (channel.queue !== undefined || !channel.exchange)
    return `its channel "${channel.id}" is the queue "${channel.queue ?? channel.address}": watching a queue would take its messages from its consumer`;
  const { name, type } = channel.exchange;
  if (name === '' || type === 'default')
    return `its channel "${channel.id}" is on the default exchange, which no queue of ours can be bound to`;
  if (type === 'fanout' || type === 'headers') return [{ exchange: name, bindingKey: '', type }];
  const keys = routingKeysOf(channel);
  if (type === 'direct' && keys.some((key) => key.includes('*') || key.includes('#')))
    return `its channel "${channel.id}" is on the direct exchange "${name}" with a key whose parameters list no values (${channel.address}): no binding key copies it`;
  // A topic exchange (or one whose type the document leaves out: a literal key works on topic and direct).
  return keys.map((bindingKey) => ({ exchange: name, bindingKey, type: type ?? 'topic' }));
}

export function busWatchOf(journey: Journey, deadLetterExchanges: readonly string[] = []): BusWatch {
  const bindings = new Map<string, ObservedBinding>();
  const unwatchable: Record<string, string> = {};
  for (const hop of journey.hops) {
    if (hop.kind !== 'bus') continue;
    const problems: string[] = [];
    for (const channel of hop.channels) {
      const found = bindingsOf(channel);
      if (typeof found === 'string') problems.push(found);
      else
        for (const binding of found) bindings.set(`${binding.exchange}\u0000${binding.bindingKey}`, binding);
    }
    // A hop is watched if every channel it may use is: a message on an unwatched one would be missed.
    if (problems.length > 0) unwatchable[hop.name] = problems.join('; ');
  }
  for (const exchange of deadLetterExchanges)
    bindings.set(`${exchange}\u0000`, { exchange, bindingKey: '', type: 'fanout' });
  return { bindings: [...bindings.values()], unwatchable };
}

const objectAt = (value: unknown): JsonObject | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonObject) : undefined;

/**
 * The dead-letter exchanges of the document's queues: the `x-dead-letter-exchange` of a channel's
 * queue arguments (`x-queue-arguments`, the AMQP bindings having no field for them). Dead letters are
 * not hops of a journey, but the diagnosis and the reliability steps read them from the observer.
 */
export function deadLetterExchangesOf(asyncapi: JsonObject): string[] {
  const found = new Set<string>();
  for (const channel of Object.values(objectAt(asyncapi.channels) ?? {})) {
    const exchange = objectAt(objectAt(channel)?.['x-queue-arguments'])?.['x-dead-letter-exchange'];
    if (typeof exchange === 'string' && exchange !== '') found.add(exchange);
  }
  return [...found];
}

/** Whether the message went through the channel: its exchange, and a routing key the channel's address allows. */
export function isOnChannel(message: BusMessage, channel: BusChannel): boolean {
  if (!channel.exchange || message.exchange !== channel.exchange.name) return false;
  const { type } = channel.exchange;
  if (type === 'fanout' || type === 'headers') return true;
  return routingKeysOf(channel).some((key) => routingKeyMatches(key, message.routingKey));
}

/** The business id a message carries where the hop says (a JSON path into its payload or headers). */
export function businessIdOf(message: BusMessage, id: BusHop['id']): string | undefined {
  const document = id.in === 'headers' ? message.headers : message.body;
  // A poison message's body is text: it carries no id.
  if (document === null || typeof document !== 'object') return undefined;
  let found: ReturnType<typeof valueAt>;
  try {
    found = valueAt(document, id.path);
  } catch (error) {
    if (error instanceof JsonPathError) return undefined;
    throw error;
  }
  if (!found.found) return undefined;
  const { value } = found;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  // AMQP header values may arrive as buffers (longstr).
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return undefined;
}

/** Whether the message is one of the hop's about this order: on one of its channels, carrying the order's id. */
export function isOfHop(hop: BusHop, orderId: string, message: BusMessage): boolean {
  return (
    hop.channels.some((channel) => isOnChannel(message, channel)) && businessIdOf(message, hop.id) === orderId
  );
}

/** The first message of the hop about this order. */
export function firstOfHop(
  hop: BusHop,
  orderId: string,
  messages: readonly BusMessage[],
): BusMessage | undefined {
  return messages.find((message) => isOfHop(hop, orderId, message));
}

/** What to hand the observer for this journey on these endpoints: nothing is declared on a broker not the run's. */
export function observeOptionsOf(watch: BusWatch, endpoints: Endpoints): ObserveOptions {
  return { bindings: watch.bindings, ...brokerOwnership(endpoints) };
}

/** The observer of a journey's bus on the run's broker (tests and scripts; the World keeps one per worker). */
export function observeJourneyBus(
  journey: Journey,
  deadLetterExchanges: readonly string[],
  endpoints: Endpoints,
): Promise<BusObserver> {
  return observeBus(
    endpoints.rabbitmq.amqpUrl,
    observeOptionsOf(busWatchOf(journey, deadLetterExchanges), endpoints),
  );
}
