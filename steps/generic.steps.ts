// Generic steps a QA engineer composes without code, for any pipeline: any HTTP request to a named
// component and Karate-like JSON matching of its answer, publishing and expecting AMQP messages and
// dead letters, read-only SQL, remembered values and figures. How is in src/drivers and src/match.
import { randomUUID } from 'node:crypto';
import { type DataTable, Given, Then, When } from '@cucumber/cucumber';
import { deadLetterReason } from '../src/drivers/bus-capture.ts';
import { httpBaseUrlOf } from '../src/drivers/endpoints.ts';
import { type HttpAnswer, sendHttp, urlOf } from '../src/drivers/http-client.ts';
import type { BusMessage } from '../src/drivers/message-log.ts';
import { routingKeyMatches } from '../src/drivers/topic-pattern.ts';
import { figuresBody, figuresMediaType } from '../src/gate/figures.ts';
import {
  containsJson,
  describeMismatches,
  describeValue,
  expectedValue,
  type Mismatch,
  matchJson,
} from '../src/match/json-match.ts';
import { valueAt } from '../src/match/json-path.ts';
import { substituteJson, substituteSql, substituteText } from '../src/match/placeholders.ts';
import { matchRows } from '../src/match/table-rows.ts';
import { eventually } from '../src/wait/eventually.ts';
import { watchesOfQueue } from './support/generic-hooks.ts';
import type { SentRequest } from './support/generic-session.ts';
import { ownDeadline, withinDeadline } from './support/timeouts.ts';
import type { MesWorld } from './support/world.ts';

/** A step's failure: what was expected, what came instead, and where. */
class ExpectationFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpectationFailed';
  }
}

function expect(mismatches: readonly Mismatch[], what: string): void {
  if (mismatches.length > 0) throw new ExpectationFailed(`${what}:\n${describeMismatches(mismatches)}`);
}

async function attachJson(world: MesWorld, kind: string, value: unknown): Promise<void> {
  await world.attach(world.generic.mask(JSON.stringify(value, null, 2)), {
    mediaType: 'application/json',
    fileName: world.generic.nextAttachmentName(kind),
  });
}

const text = (world: MesWorld, value: string) => substituteText(value, world.generic.scope());
const json = (world: MesWorld, docString: string) => substituteJson(docString, world.generic.scope());
/** A value a step gives in quotes, placeholders first: a matcher, JSON, or else the text itself. */
const expected = (world: MesWorld, value: string) => expectedValue(text(world, value));

// --- HTTP -------------------------------------------------------------------------------------------

const requestName = (request: SentRequest) => `${request.method} ${request.path} on ${request.component}`;

async function send(world: MesWorld, request: SentRequest, body?: string): Promise<HttpAnswer> {
  const baseUrl = httpBaseUrlOf(world.endpoints, request.component);
  const headers = Object.fromEntries(world.generic.requestHeaders);
  const payload = body === undefined ? undefined : json(world, body);
  const answer = await sendHttp(
    { method: request.method, baseUrl, path: request.path, headers, json: payload },
    { onAnswer: world.answersOf(request.component) },
  );
  world.answers.push(answer);
  world.lastAnswer = answer;
  world.generic.lastRequest = request;
  await attachJson(world, `http-${request.method.toLowerCase()}-${request.component}`, {
    request: { method: request.method, url: urlOf(baseUrl, request.path), headers, body: payload },
    answer: {
      status: answer.status,
      headers: answer.headers,
      body: answer.body,
      elapsedMs: answer.elapsedMs,
    },
  });
  return answer;
}

function lastAnswer(world: MesWorld): { answer: HttpAnswer; where: string } {
  const answer = world.lastAnswer;
  if (!answer) throw new ExpectationFailed('no request was sent in this scenario yet');
  const request = world.generic.lastRequest;
  return { answer, where: request ? `the answer to ${requestName(request)}` : 'the last answer' };
}

/** The value at `path` in the last answer's JSON, whether anything is there, and whose answer it is. */
function lastAnswerAt(world: MesWorld, path: string) {
  const { answer, where } = lastAnswer(world);
  return { ...jsonAt(answer.body, path), where };
}

function jsonAt(answerBody: unknown, path: string) {
  const found = valueAt(answerBody, path);
  return found.found ? { actual: found.value, present: true } : { actual: undefined, present: false };
}

Given('the request header {string} is {string}', function (this: MesWorld, name: string, value: string) {
  this.generic.requestHeaders.set(name, text(this, value));
});

When(
  'the client sends {httpMethod} {string} to {word}',
  async function (this: MesWorld, method: string, path: string, component: string) {
    await send(this, { method, component, path: text(this, path) });
  },
);

When(
  'the client sends {httpMethod} {string} to {word} with the JSON:',
  async function (this: MesWorld, method: string, path: string, component: string, body: string) {
    await send(this, { method, component, path: text(this, path) }, body);
  },
);

Then("the answer's status is {int}", function (this: MesWorld, status: number) {
  const { answer, where } = lastAnswer(this);
  if (answer.status !== status) {
    throw new ExpectationFailed(
      `${where}: expected status ${status}, got ${answer.status}; body: ${describeValue(answer.body)}`,
    );
  }
});

Then("the answer's header {string} is {string}", function (this: MesWorld, name: string, value: string) {
  const { answer, where } = lastAnswer(this);
  const header = answer.headers[name.toLowerCase()];
  expect(
    matchJson(header, expected(this, value), { path: `header ${name}`, present: header !== undefined }),
    where,
  );
});

Then(
  "the answer's header {string} matches {string}",
  function (this: MesWorld, name: string, pattern: string) {
    const { answer, where } = lastAnswer(this);
    const header = answer.headers[name.toLowerCase()];
    expect(
      matchJson(header, `#regex ${text(this, pattern)}`, {
        path: `header ${name}`,
        present: header !== undefined,
      }),
      where,
    );
  },
);

Then("the answer's JSON at {string} equals {string}", function (this: MesWorld, path: string, value: string) {
  const { actual, present, where } = lastAnswerAt(this, path);
  expect(matchJson(actual, expected(this, value), { path, present }), where);
});

Then("the answer's JSON matches:", function (this: MesWorld, docString: string) {
  const { answer, where } = lastAnswer(this);
  expect(matchJson(answer.body, json(this, docString)), where);
});

Then("the answer's JSON matches exactly:", function (this: MesWorld, docString: string) {
  const { answer, where } = lastAnswer(this);
  expect(matchJson(answer.body, json(this, docString), { exact: true }), where);
});

Then("the answer's JSON at {string} matches:", function (this: MesWorld, path: string, docString: string) {
  const { actual, present, where } = lastAnswerAt(this, path);
  expect(matchJson(actual, json(this, docString), { path, present }), where);
});

Then(
  "the answer's JSON at {string} contains {string}",
  function (this: MesWorld, path: string, value: string) {
    const { actual, present, where } = lastAnswerAt(this, path);
    expect(containsJson(actual, expected(this, value), { path, present }), where);
  },
);

Then("the answer's JSON at {string} contains:", function (this: MesWorld, path: string, docString: string) {
  const { actual, present, where } = lastAnswerAt(this, path);
  expect(containsJson(actual, json(this, docString), { path, present }), where);
});

Then(
  "the answer's JSON at {string} is remembered as {word}",
  function (this: MesWorld, path: string, name: string) {
    const { answer, where } = lastAnswer(this);
    const found = valueAt(answer.body, path);
    if (!found.found) throw new ExpectationFailed(`${where}: nothing at ${path} to remember as ${name}`);
    this.generic.remembered.set(name, found.value);
  },
);

Then(
  "the answer's header {string} is remembered as {word}",
  function (this: MesWorld, header: string, name: string) {
    const { answer, where } = lastAnswer(this);
    const value = answer.headers[header.toLowerCase()];
    if (value === undefined)
      throw new ExpectationFailed(`${where}: no header ${header} to remember as ${name}`);
    this.generic.remembered.set(name, value);
  },
);

/** Sends the request until its answer passes `check` (which throws what it saw), or the deadline. */
async function answersWithin(
  world: MesWorld,
  seconds: number,
  request: SentRequest,
  status: number,
  check: (answer: HttpAnswer) => Mismatch[],
): Promise<void> {
  const baseUrl = httpBaseUrlOf(world.endpoints, request.component);
  const headers = Object.fromEntries(world.generic.requestHeaders);
  let last: HttpAnswer | undefined;
  const polled = eventually(
    async () => {
      last = await sendHttp(
        { method: request.method, baseUrl, path: request.path, headers },
        { onAnswer: world.answersOf(request.component) },
      );
      if (last.status !== status) {
        throw new ExpectationFailed(`status ${last.status}, body ${describeValue(last.body)}`);
      }
      expect(check(last), `status ${status}, but`);
      return last;
    },
    {
      within: seconds * 1000,
      every: 100,
      maxEvery: 1_000,
      description: `${requestName(request)} to answer ${status}`,
    },
  );
  try {
    await withinDeadline(seconds, polled);
  } finally {
    if (last) {
      world.answers.push(last);
      world.lastAnswer = last;
      world.generic.lastRequest = request;
      await attachJson(world, `http-${request.method.toLowerCase()}-${request.component}`, {
        request: { method: request.method, url: urlOf(baseUrl, request.path), headers },
        lastAnswer: {
          status: last.status,
          headers: last.headers,
          body: last.body,
          elapsedMs: last.elapsedMs,
        },
      });
    }
  }
}

Then(
  'within {int} second(s), {word} answers {httpMethod} {string} with {int} and JSON at {string} equal to {string}',
  ownDeadline,
  async function (
    this: MesWorld,
    seconds: number,
    component: string,
    method: string,
    path: string,
    status: number,
    jsonPath: string,
    value: string,
  ) {
    const want = expected(this, value);
    await answersWithin(this, seconds, { method, component, path: text(this, path) }, status, (answer) => {
      const { actual, present } = jsonAt(answer.body, jsonPath);
      return matchJson(actual, want, { path: jsonPath, present });
    });
  },
);

Then(
  'within {int} second(s), {word} answers {httpMethod} {string} with {int} and JSON matching:',
  ownDeadline,
  async function (
    this: MesWorld,
    seconds: number,
    component: string,
    method: string,
    path: string,
    status: number,
    docString: string,
  ) {
    const want = json(this, docString);
    await answersWithin(this, seconds, { method, component, path: text(this, path) }, status, (answer) =>
      matchJson(answer.body, want),
    );
  },
);

// --- AMQP -------------------------------------------------------------------------------------------

/** The capture, watching the exchange with the key; a watch that starts only now says so in the log. */
async function watching(world: MesWorld, exchange: string, bindingKey: string) {
  const capture = await world.generic.capture();
  if (!capture.isWatching(exchange, bindingKey)) {
    world.log(
      `watching exchange "${exchange}" (binding key "${bindingKey}") from this step on: a message that went before it is not seen`,
    );
  }
  await capture.watch(exchange, bindingKey);
  return capture;
}

function describeMessage(message: BusMessage) {
  return {
    exchange: message.exchange,
    routingKey: message.routingKey,
    messageId: message.messageId,
    correlationId: message.correlationId,
    headers: message.headers,
    body: message.body,
    seenAt: new Date(message.seenAt).toISOString(),
  };
}

Given('the messages published next carry the headers:', function (this: MesWorld, table: DataTable) {
  this.generic.messageHeaders = Object.fromEntries(
    Object.entries(table.rowsHash()).map(([name, value]) => [name, text(this, value)]),
  );
});

When(
  'a message is published to exchange {string} with routing key {string}:',
  async function (this: MesWorld, exchange: string, routingKey: string, docString: string) {
    const to = { exchange: text(this, exchange), routingKey: text(this, routingKey) };
    // A doc string marked """text goes as it is written (a body that is not JSON); any other must be JSON.
    const raw = this.generic.docStringMediaType === 'text';
    const body = raw ? text(this, docString) : JSON.stringify(json(this, docString));
    const messageId = randomUUID();
    // What the scenario sends is not the product's: it may break the contract on purpose.
    await this.meant({ rule: 'message-contract', messageId });
    const capture = await this.generic.capture();
    await capture.publish(to.exchange, to.routingKey, Buffer.from(body), {
      messageId,
      headers: this.generic.messageHeaders,
      contentType: raw ? 'text/plain' : 'application/json',
    });
    this.generic.lastPublished = { ...to, messageId };
    await attachJson(this, 'amqp-published', {
      ...to,
      messageId,
      headers: this.generic.messageHeaders,
      body,
    });
  },
);

interface MessageExpectation {
  exchange: string;
  routingKey: string;
  /** The body's expectation (matchers allowed); undefined: any body. */
  body: unknown;
}

function expectationOf(
  world: MesWorld,
  exchange: string,
  routingKey: string,
  docString?: string,
): MessageExpectation {
  return {
    exchange: text(world, exchange),
    routingKey: text(world, routingKey),
    body: docString === undefined ? undefined : json(world, docString),
  };
}

const routedAs = (want: MessageExpectation) => (message: BusMessage) =>
  message.exchange === want.exchange && routingKeyMatches(want.routingKey, message.routingKey);

const matches = (want: MessageExpectation) => (message: BusMessage) =>
  routedAs(want)(message) && (want.body === undefined || matchJson(message.body, want.body).length === 0);

/** What came instead: the messages with the right route and why each did not match. */
function closest(messages: readonly BusMessage[], want: MessageExpectation): string {
  const routed = messages.filter(routedAs(want));
  if (routed.length === 0) {
    return `no message on exchange "${want.exchange}" with routing key "${want.routingKey}" at all (${messages.length} captured on other routes)`;
  }
  return routed
    .slice(-3)
    .map(
      (message) =>
        `message ${message.messageId ?? '(no id)'} (${message.routingKey}):\n${describeMismatches(matchJson(message.body, want.body), 5)}`,
    )
    .join('\n');
}

async function arrives(world: MesWorld, seconds: number, want: MessageExpectation): Promise<void> {
  const capture = await watching(world, want.exchange, want.routingKey);
  const found = await withinDeadline(seconds, capture.firstWithin(matches(want), seconds * 1000));
  if (!found) {
    await attachJson(world, 'amqp-expected', {
      expected: want,
      captured: capture.seen().map(describeMessage),
    });
    throw new ExpectationFailed(
      `no message on exchange "${want.exchange}" with routing key "${want.routingKey}" matched within ${seconds} s; what came instead:\n${closest(capture.seen(), want)}`,
    );
  }
  world.generic.lastMessage = found;
  await attachJson(world, 'amqp-matched', describeMessage(found));
}

async function staysAway(world: MesWorld, seconds: number, want: MessageExpectation): Promise<void> {
  const capture = await watching(world, want.exchange, want.routingKey);
  const found = await withinDeadline(seconds, capture.firstWithin(matches(want), seconds * 1000));
  if (found) {
    await attachJson(world, 'amqp-unexpected', describeMessage(found));
    throw new ExpectationFailed(
      `a message arrived on exchange "${want.exchange}" with routing key "${found.routingKey}" that should not have: ${describeValue(found.body)}`,
    );
  }
}

Then(
  'a message arrives on exchange {string} with routing key {string} within {int} second(s), matching:',
  ownDeadline,
  async function (this: MesWorld, exchange: string, routingKey: string, seconds: number, docString: string) {
    await arrives(this, seconds, expectationOf(this, exchange, routingKey, docString));
  },
);

Then(
  'no message arrives on exchange {string} with routing key {string} within {int} second(s), matching:',
  ownDeadline,
  async function (this: MesWorld, exchange: string, routingKey: string, seconds: number, docString: string) {
    await staysAway(this, seconds, expectationOf(this, exchange, routingKey, docString));
  },
);

Then(
  'no message arrives on exchange {string} with routing key {string} within {int} second(s)',
  ownDeadline,
  async function (this: MesWorld, exchange: string, routingKey: string, seconds: number) {
    await staysAway(this, seconds, expectationOf(this, exchange, routingKey));
  },
);

Then(
  "the message's JSON at {string} is remembered as {word}",
  function (this: MesWorld, path: string, name: string) {
    const message = this.generic.lastMessage;
    if (!message) throw new ExpectationFailed('no message was matched in this scenario yet');
    const found = valueAt(message.body, path);
    if (!found.found) throw new ExpectationFailed(`the message matched last has nothing at ${path}`);
    this.generic.remembered.set(name, found.value);
  },
);

async function deadLettered(
  world: MesWorld,
  where: string,
  watches: ReadonlyArray<{ exchange: string; bindingKey: string; arguments?: Record<string, unknown> }>,
  reason: string,
  seconds: number,
): Promise<void> {
  const published = world.generic.lastPublished;
  if (!published) throw new ExpectationFailed('no message was published in this scenario yet');
  // The scenario expects this dead letter: the rule over the run does not count it.
  await world.meant({ rule: 'unexpected-dead-letter', messageId: published.messageId });
  const capture = await world.generic.capture();
  for (const watch of watches) {
    if (!capture.isWatching(watch.exchange, watch.bindingKey)) {
      world.log(
        `watching exchange "${watch.exchange}" from this step on: a dead letter that went before it is not seen`,
      );
    }
    await capture.watch(watch.exchange, watch.bindingKey, watch.arguments);
  }
  const exchanges = new Set(watches.map((watch) => watch.exchange));
  const dead = (message: BusMessage) =>
    exchanges.has(message.exchange) && message.messageId === published.messageId;
  const found = await withinDeadline(seconds, capture.firstWithin(dead, seconds * 1000));
  if (!found) {
    throw new ExpectationFailed(
      `message ${published.messageId} (published to "${published.exchange}" with "${published.routingKey}") was not dead-lettered to ${where} within ${seconds} s`,
    );
  }
  await attachJson(world, 'amqp-dead-letter', describeMessage(found));
  const given = deadLetterReason(found.headers);
  expect(
    matchJson(given, expected(world, reason), { path: 'reason', present: given !== undefined }),
    `the dead letter on ${where} (x-first-death-reason, x-death or x-rejection-reason)`,
  );
}

Then(
  'the message published last is dead-lettered to exchange {string} with reason {string} within {int} second(s)',
  ownDeadline,
  async function (this: MesWorld, exchange: string, reason: string, seconds: number) {
    const name = text(this, exchange);
    await deadLettered(this, `exchange "${name}"`, [{ exchange: name, bindingKey: '#' }], reason, seconds);
  },
);

Then(
  'the message published last is dead-lettered to queue {string} with reason {string} within {int} second(s)',
  ownDeadline,
  async function (this: MesWorld, queue: string, reason: string, seconds: number) {
    const name = text(this, queue);
    await deadLettered(this, `queue "${name}"`, await watchesOfQueue(this, name), reason, seconds);
  },
);

// --- SQL --------------------------------------------------------------------------------------------

function theQuery(world: MesWorld) {
  const sql = world.generic.query;
  if (sql === undefined)
    throw new ExpectationFailed('no SQL query was given in this scenario yet ("the SQL query is:")');
  return substituteSql(sql, world.generic.scope());
}

Given('the SQL query is:', function (this: MesWorld, docString: string) {
  this.generic.query = docString;
});

async function queryUntil(
  world: MesWorld,
  seconds: number,
  what: string,
  check: (result: { columns: string[]; rows: Array<Record<string, unknown>> }) => Mismatch[],
): Promise<void> {
  const query = theQuery(world);
  let last: { columns: string[]; rows: Array<Record<string, unknown>> } | undefined;
  const polled = eventually(
    async () => {
      last = await world.database.readOnlyQuery(query.text, query.values);
      expect(check(last), 'the query returned');
      return last;
    },
    { within: seconds * 1000, every: 100, maxEvery: 1_000, description: `the query to return ${what}` },
  );
  try {
    await withinDeadline(seconds, polled);
  } finally {
    await attachJson(world, 'sql', { query: query.text, parameters: query.values, lastResult: last?.rows });
  }
}

Then(
  'within {int} second(s), the query returns the rows:',
  ownDeadline,
  async function (this: MesWorld, seconds: number, table: DataTable) {
    const cells = table.raw().map((row) => row.map((cell) => text(this, cell)));
    await queryUntil(this, seconds, `${cells.length - 1} row(s)`, (result) => matchRows(result, cells));
  },
);

Then(
  'within {int} second(s), the query returns {int} row(s)',
  ownDeadline,
  async function (this: MesWorld, seconds: number, count: number) {
    await queryUntil(this, seconds, `${count} row(s)`, (result) =>
      result.rows.length === count
        ? []
        : [
            {
              path: 'rows',
              expected: `${count} row(s)`,
              actual: `${result.rows.length}: ${describeValue(result.rows.slice(0, 5))}`,
            },
          ],
    );
  },
);

// --- Figures ----------------------------------------------------------------------------------------

When('the timer {string} starts', function (this: MesWorld, name: string) {
  this.generic.timers.set(name, performance.now());
});

Then(
  'the time since the timer {string} started is recorded as the figure {string}',
  async function (this: MesWorld, timer: string, figure: string) {
    const started = this.generic.timers.get(timer);
    if (started === undefined)
      throw new ExpectationFailed(`no timer "${timer}" was started in this scenario`);
    const elapsedMs = performance.now() - started;
    this.log(`${figure}: ${elapsedMs.toFixed(0)} ms since the timer "${timer}" started`);
    await this.attach(figuresBody({ [figure]: [elapsedMs] }), figuresMediaType);
  },
);

Then(
  'the remembered {word} is recorded as the figure {string}',
  async function (this: MesWorld, name: string, figure: string) {
    const value = this.generic.scope().lookup(name)?.value;
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || !Number.isFinite(number)) {
      throw new ExpectationFailed(
        `the remembered ${name} is ${describeValue(value)}, not a number to record as ${figure}`,
      );
    }
    await this.attach(figuresBody({ [figure]: [number] }), figuresMediaType);
  },
);
