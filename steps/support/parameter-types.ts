// The words scenarios use for segments, API versions, currencies, MES states and money.
import { defineParameterType } from '@cucumber/cucumber';

defineParameterType({
  name: 'segment',
  regexp: /B2C|B2B/,
  transformer: (text: string) => text.toLowerCase() as 'b2c' | 'b2b',
});

defineParameterType({
  name: 'apiVersion',
  regexp: /v1|v2/,
  transformer: (text: string) => text as 'v1' | 'v2',
});

defineParameterType({ name: 'currency', regexp: /EUR|USD|PLN/, transformer: (text: string) => text });

defineParameterType({
  name: 'orderStatus',
  regexp: /received|pricing failed|pricing|priced/,
  transformer: (text: string) => text.replace(' ', '_'),
});

/** 292.50 -> 29250 cents: money is compared in integer cents, as the services store it. */
defineParameterType({
  name: 'amount',
  regexp: /\d+(?:\.\d{2})?/,
  transformer: (text: string) => Math.round(Number(text) * 100),
});

/** A component of the pipeline, as a scenario names it. */
defineParameterType({
  name: 'component',
  regexp: /RabbitMQ|PostgreSQL replica|PostgreSQL|CRM|MES|pricing/,
  transformer: (text: string) =>
    (
      ({
        RabbitMQ: 'rabbitmq',
        'PostgreSQL replica': 'postgres-replica',
        PostgreSQL: 'postgres',
        CRM: 'crm',
        MES: 'mes',
        pricing: 'pricing',
      }) as const
    )[text as 'CRM'],
});

/** An HTTP method as generic steps write it. */
defineParameterType({
  name: 'httpMethod',
  regexp: /GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS/,
  transformer: (text: string) => text,
});
