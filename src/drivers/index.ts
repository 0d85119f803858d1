// The drivers a team's own steps may use (the package's `mes-e2e/drivers`): the ones that speak to a
// pipeline as a client or an onlooker would, given only the run's endpoints. Those that start, break
// or scale components (chaos, processes, containers, the browser) stay the harness's own: a team's
// step reaches them through the World (`this.chaos`, `this.dashboard()`), which puts back what they
// broke. Nothing else in the repository imports this file; it is the published surface only.

export { type QueueBinding, type QueueFigures, queueBindings, queueFigures } from './broker-queues.ts';
export {
  BrokerNotOursError,
  type BusCapture,
  BusCaptureError,
  type BusCaptureOptions,
  deadLetterReason,
  openBusCapture,
} from './bus-capture.ts';
export { type BusObserver, ObserverBlindError } from './bus-observer.ts';
export { createDatabaseProbe, type DatabaseProbe, type QueryRows } from './database-probe.ts';
export {
  type ApiKey,
  type BrokerOwnership,
  brokerOwnership,
  databaseOf,
  type Endpoints,
  httpBaseUrlOf,
  secretsIn,
} from './endpoints.ts';
export {
  type AnswerObserver,
  type HttpAnswer,
  type HttpRequest,
  NoHttpAnswerError,
  sendHttp,
  urlOf,
} from './http-client.ts';

// Imported, then exported: dependency-cruiser does not see a type-only re-export as an import.
import type { BusMessage, MessageMatch } from './message-log.ts';

export { readState, type StateOperation, type StateRead, statePath } from './state-reader.ts';
export { routingKeyMatches } from './topic-pattern.ts';
export type { BusMessage, MessageMatch };
