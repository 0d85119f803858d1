// The parts scenarios name by their role in the order's journey ("RabbitMQ is stopped", "MES is
// killed", "pricing restarts"), found in any pipeline: the broker and database by kind, the services
// by the hops the journey gives them. On the reference stack each role is the component of that name.
import type { BusHop, Journey } from '../config/journey.ts';
import type { Endpoints } from '../drivers/endpoints.ts';

export const roles = ['rabbitmq', 'postgres', 'postgres-replica', 'crm', 'mes', 'pricing'] as const;
export type Role = (typeof roles)[number];

const lastBusHop = (journey: Journey): BusHop | undefined =>
  journey.hops.filter((hop): hop is BusHop => hop.kind === 'bus').at(-1);

/**
 * The component that plays the role: the broker; the database; the one that creates orders (crm);
 * the database's read replica; the one whose state is read back (mes); the one responsible for the journey's last bus hop (pricing).
 */
export function componentOfRole(journey: Journey, endpoints: Endpoints, role: Role): string {
  switch (role) {
    case 'rabbitmq':
      return endpoints.rabbitmq.name;
    case 'postgres':
      if (endpoints.postgres) return endpoints.postgres.name;
      throw new Error('this pipeline has no database (no component of kind postgres) to break');
    case 'postgres-replica':
      if (endpoints.replica) return endpoints.replica.name;
      throw new Error("this run's database has no read replica (no component of kind postgres-replica)");
    case 'crm':
      return journey.create.component;
    case 'mes':
      return journey.state.component;
    case 'pricing':
      return (lastBusHop(journey) ?? failNoBusHop()).component;
  }
}

function failNoBusHop(): never {
  throw new Error('the journey has no hop on the bus: no component plays pricing (the last bus hop)');
}
