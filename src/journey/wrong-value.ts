// Where a wrong value came from: the order's total or currency as each bus hop carried it (the hops'
// `carries` paths), then as the state read back shows it. The first place it differs from what the
// scenario expected names the hop, and so the component, that produced it.
import type { CarriedValue, Journey } from '../config/journey.ts';
import type { BusMessage } from '../drivers/bus-observer.ts';
import { valueAtOrUndefined } from '../match/json-path.ts';
import { firstOfHop } from './bus-watch.ts';

interface Sighting {
  hop: string;
  component: string;
  value: unknown;
}

const shown = (value: unknown) => JSON.stringify(value) ?? String(value);

/**
 * One sentence for a failure message: which hop first carried a value other than `expected`, and
 * whose hop it is; or that every hop carried the expected value and the state's component changed it.
 * Empty when no hop of the journey says where it carries the value.
 */
export function whereValueWentWrong(
  journey: Journey,
  which: CarriedValue,
  expected: unknown,
  shownByState: unknown,
  orderId: string,
  messages: readonly BusMessage[],
): string {
  const sightings: Sighting[] = [];
  const unseen: string[] = [];
  for (const hop of journey.hops) {
    if (hop.kind !== 'bus' || hop.carries[which] === undefined) continue;
    const message = firstOfHop(hop, orderId, messages);
    if (!message) unseen.push(hop.name);
    else
      sightings.push({
        hop: hop.name,
        component: hop.component,
        value: valueAtOrUndefined(message.body, hop.carries[which]),
      });
  }
  if (sightings.length === 0 && unseen.length === 0) return '';
  const trail = sightings.map((each) => `${each.hop} carried ${shown(each.value)}`);
  const notSeen = unseen.length > 0 ? `; not seen on the bus: ${unseen.join(', ')}` : '';
  const wrong = sightings.find((each) => shown(each.value) !== shown(expected));
  const { state } = journey;
  if (wrong)
    return `the ${which} went wrong at "${wrong.hop}" (${trail.join(', ')}${notSeen}): produced by ${wrong.component}`;
  if (shown(shownByState) === shown(expected)) return `${trail.join(', ')}${notSeen}`;
  const whereShown = `${state.component} shows ${shown(shownByState)}`;
  if (unseen.length > 0)
    return `${[...trail, whereShown].join(', ')}${notSeen}: it went wrong at one of those hops or in ${state.component}`;
  return `${trail.join(', ')}, but ${whereShown}: ${state.component} changed it`;
}
