// Environment values that name what the run knows only once it starts ("{rabbitmq.amqpUrl}",
// "{postgres.url}", "{port}"): checked when the plan is built, filled in when a component starts.

/** What a template may name, and what each is. */
export const templateNames = {
  'rabbitmq.amqpUrl': "the broker's AMQP URL, on the run's own vhost",
  'rabbitmq.managementUrl': "the broker's management API URL (not set when there is none)",
  'rabbitmq.vhost': "the run's vhost",
  'postgres.url': "the database URL, on the run's own database",
  'postgres.database': "the run's database name",
  'run.id': "the run's id",
  port: 'the port the component itself serves on',
} as const;
export type TemplateName = keyof typeof templateNames;

const reference = /\{([A-Za-z][\w.-]*)\}/g;

/** The names a value refers to, in order. */
export const namesIn = (value: string): string[] =>
  [...value.matchAll(reference)].map((match) => match[1] ?? '');

const isTemplateName = (name: string): name is TemplateName => Object.hasOwn(templateNames, name);

/** A problem line for each name no template knows, with the key it sits under. */
export function unknownNames(env: Readonly<Record<string, string>>, key: string): string[] {
  return Object.entries(env).flatMap(([variable, value]) =>
    namesIn(value)
      .filter((name) => !isTemplateName(name))
      .map(
        (name) =>
          `${key}.${variable}: "{${name}}" names nothing the run knows; it may name ${Object.keys(
            templateNames,
          )
            .map((known) => `{${known}}`)
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
  values: Readonly<Partial<Record<TemplateName, string>>>,
): Record<string, string> {
  const filled: Record<string, string> = {};
  for (const [variable, value] of Object.entries(env)) {
    const names = namesIn(value).filter(isTemplateName);
    if (names.some((name) => values[name] === undefined)) continue;
    filled[variable] = value.replace(reference, (whole, name: string) =>
      isTemplateName(name) ? (values[name] ?? whole) : whole,
    );
  }
  return filled;
}
