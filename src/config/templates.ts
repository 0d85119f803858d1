// Environment values that name what the run knows only once it starts ("{rabbitmq.amqpUrl}",
// "{postgres.url}", "{order-api.url}", "{port}"): checked when the plan is built, filled in when a
// component starts. Components are named by the configuration, so the names a template may use are too.
import type { ComponentKind, ComponentName } from './schema.ts';

/** What each kind of component offers to the others' templates, by the component's own name. */
const offeredByKind: Readonly<Record<ComponentKind, Readonly<Record<string, string>>>> = {
  rabbitmq: {
    amqpUrl: "the broker's AMQP URL, on the run's own vhost",
    managementUrl: "the broker's management API URL (not set when there is none)",
    vhost: "the run's vhost",
  },
  postgres: {
    url: "the database URL, on the run's own database",
    database: "the run's database name",
    replicaUrl: "the run's own database on its read replica (not set when the database has none)",
  },
  'postgres-replica': {
    url: "the read replica's URL, on the run's own database (read-only: a hot standby)",
  },
  service: { url: "the service's base URL" },
};

const ofTheRun: Readonly<Record<string, string>> = {
  'run.id': "the run's id",
  port: 'the port the component itself serves on',
};

/** What a template may name in this plan, and what each is. */
export function templateNamesOf(
  components: Iterable<{ name: ComponentName; kind: ComponentKind }>,
  secrets: Iterable<string> = [],
): Readonly<Record<string, string>> {
  const names: Record<string, string> = {};
  for (const secret of secrets) names[`secret.${secret}`] = 'a secret of the configuration';
  for (const { name, kind } of components)
    for (const [part, meaning] of Object.entries(offeredByKind[kind]))
      names[`${name}.${part}`] = `${meaning} (${name})`;
  return { ...names, ...ofTheRun };
}

const reference = /\{([A-Za-z][\w.-]*)\}/g;

/** The names a value refers to, in order. */
export const namesIn = (value: string): string[] =>
  [...value.matchAll(reference)].map((match) => match[1] ?? '');

/** A problem line for each name no template knows, with the key it sits under. */
export function unknownNames(
  env: Readonly<Record<string, string>>,
  key: string,
  known: Readonly<Record<string, string>>,
): string[] {
  return Object.entries(env).flatMap(([variable, value]) =>
    namesIn(value)
      .filter((name) => !Object.hasOwn(known, name))
      .map(
        (name) =>
          `${key}.${variable}: "{${name}}" names nothing the run knows; it may name ${Object.keys(known)
            .map((name) => `{${name}}`)
            .join(', ')}`,
      ),
  );
}

/**
 * The variables with every name filled in. A variable that names a value this run does not have
 * (no management API, say) is left out rather than set to something wrong.
 */
export function fillTemplates(
  env: Readonly<Record<string, string>>,
  values: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const filled: Record<string, string> = {};
  for (const [variable, value] of Object.entries(env)) {
    if (namesIn(value).some((name) => values[name] === undefined)) continue;
    filled[variable] = value.replace(reference, (whole, name: string) => values[name] ?? whole);
  }
  return filled;
}
