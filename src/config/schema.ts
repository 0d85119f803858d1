// The configuration file's shape (mes-e2e.config.json or .ts): strict, so a typo is an error, not a silent default.
import { z } from 'zod';
import { contractRules } from '../contracts/violations.ts';
import { parseJsonPath } from './json-path.ts';

/** The reference stack's components: the defaults when a configuration describes no pipeline of its own. */
export const referenceComponentNames = ['rabbitmq', 'postgres', 'crm', 'mes', 'pricing'] as const;
/** A component's name, as the configuration gives it (any name; the reference stack's are defaults). */
export type ComponentName = string;
/**
 * What a component is to the harness: the run's message broker (one), its database (at most one), a
 * streaming read replica of that database (at most one), or a service of the pipeline (any number). A
 * component named rabbitmq, postgres or postgres-replica is of that kind.
 */
export const componentKinds = ['rabbitmq', 'postgres', 'postgres-replica', 'service'] as const;
export type ComponentKind = (typeof componentKinds)[number];
export const profileNames = ['containers', 'local', 'staging'] as const;
export type ProfileName = (typeof profileNames)[number];

const Env = z.record(z.string(), z.string());
const HttpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

/** How long this component may take to get ready; the top-level readyTimeoutMs otherwise. */
const ReadyTimeout = z.number().int().min(1_000).max(3_600_000).optional();

/**
 * How a container shows it is ready: an HTTP path answering 2xx, its port accepting connections, a log
 * line, or a shell command run in the container exiting 0.
 */
export const ReadyCheck = z.union(
  [
    z.strictObject({ http: z.string().regex(/^\//, 'expected a path that starts with /') }),
    z.strictObject({ tcp: z.literal(true) }),
    z.strictObject({ log: z.string().min(1) }),
    z.strictObject({ command: z.string().min(1) }),
  ],
  {
    error:
      'expected { "http": "/health" }, { "tcp": true }, { "log": "a line it logs once ready" } or { "command": "a shell command that exits 0 once ready" }',
  },
);
export type ReadyCheck = z.infer<typeof ReadyCheck>;

/** A name the other keys can refer to: letters, digits and dashes, as a Docker network alias allows. */
const ComponentNameText = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,39}$/,
    'expected a lower-case name of letters, digits and dashes (e.g. "order-api")',
  );

/** What every source has: its kind, what it waits for, and how long it may take to get ready. */
const common = {
  kind: z.enum(componentKinds).optional(),
  /** Components that must be ready before this one counts its own readiness deadline. */
  dependsOn: z.array(ComponentNameText).optional(),
  readyTimeoutMs: ReadyTimeout,
};

const ContainerSource = z.strictObject({
  source: z.literal('container'),
  ...common,
  /** An image to run (with `build`: the tag to build it as); a broker or database has a default image. */
  image: z.string().min(1).optional(),
  /** Builds the image from a Dockerfile; paths relative to the configuration file. */
  build: z.strictObject({ context: z.string().min(1), dockerfile: z.string().min(1) }).optional(),
  /** The port it serves on inside the container; the reference services' own port otherwise. */
  port: z.number().int().min(1).max(65_535).optional(),
  ready: ReadyCheck.optional(),
  /** Values may name the run's endpoints: "{rabbitmq.amqpUrl}", "{postgres.url}", "{port}" (see README). */
  env: Env.optional(),
});

const ProcessSource = z.strictObject({
  source: z.literal('process'),
  ...common,
  /** Without it, the profile's own command for the component, with this env added. */
  command: z.array(z.string().min(1)).min(1, 'expected the command and its arguments').optional(),
  cwd: z.string().min(1).optional(),
  env: Env.optional(),
  /** Readiness URL; {port} is replaced by the port the harness gives the process. */
  readyUrl: z.string().min(1).optional(),
});

const UrlSource = z.strictObject({
  source: z.literal('url'),
  ...common,
  url: z.url({ error: 'expected a URL' }),
  /** RabbitMQ only: the management API, for per-run vhosts and queue figures. */
  managementUrl: HttpUrl.optional(),
});

export const ComponentConfig = z.discriminatedUnion('source', [ContainerSource, ProcessSource, UrlSource], {
  error: 'expected "source" to be one of container, process, url',
});
export type ComponentConfig = z.infer<typeof ComponentConfig>;

const Components = z.record(ComponentNameText, ComponentConfig);

/** The gate's rules; anything not given keeps its safe default (see src/gate/policy.ts). */
export const PolicyConfig = z.strictObject({
  requiredTags: z.array(z.string().regex(/^@\S+$/, 'expected a tag such as @critical')).optional(),
  quarantineTag: z
    .string()
    .regex(/^@\S+$/, 'expected a tag such as @quarantine')
    .optional(),
  /** The quarantine file and its limits (the entries themselves live in the file, see README). */
  quarantine: z
    .strictObject({
      /** Relative to the file that names it; default quarantine.yml beside the configuration (or cwd). */
      file: z.string().min(1).optional(),
      max: z.number().int().min(0).optional(),
      allowCritical: z.boolean().optional(),
      /** Clean runs in a row after which an entry is reported ready to remove (needs gate --history). */
      releaseAfter: z.number().int().min(1).optional(),
    })
    .optional(),
  maxFlaky: z.number().int().min(0).optional(),
  minScenarios: z.number().int().min(0).optional(),
  neverSkip: z.array(z.string().regex(/^@\S+$/, 'expected a tag such as @critical')).optional(),
  mustRun: z.array(z.string().min(1)).optional(),
  budgets: z
    .array(
      z.strictObject({
        figure: z.string().min(1),
        statistic: z.enum(['p50', 'p95', 'p99', 'max', 'mean']),
        max: z.number().min(0),
        /** A run that recorded no such figure is not held to it (default false: it blocks). */
        ifRecorded: z.boolean().optional(),
      }),
    )
    .optional(),
  contracts: z.enum(['block', 'report']).optional(),
  rules: z.partialRecord(z.enum(contractRules), z.boolean()).optional(),
  historyRuns: z.number().int().min(1).optional(),
  flakyRate: z
    .strictObject({
      max: z.number().min(0).max(1),
      runs: z.number().int().min(1),
    })
    .optional(),
});
export type PolicyConfig = z.infer<typeof PolicyConfig>;

/** A contract document: a file, relative to the configuration file (URLs are not read yet). */
const ContractFile = z
  .string()
  .min(1)
  .refine((value) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(value), {
    error: 'expected a file (relative to the configuration file); URLs are not read yet',
  });

export const ContractsConfig = z.strictObject({
  /** An OpenAPI 3 document per HTTP component, by component name. */
  openapi: z.record(z.string(), ContractFile).optional(),
  /** The bus's AsyncAPI 3 document. */
  asyncapi: ContractFile.optional(),
});
export type ContractsConfig = z.infer<typeof ContractsConfig>;

/** A singular JSON path (`$.id`, `$.customer['id']`, `$.lines[0].sku`): one value, never a set. */
const JsonPath = z.string().superRefine((value, context) => {
  const parsed = parseJsonPath(value);
  if ('problem' in parsed)
    context.addIssue({ code: 'custom', message: `not a JSON path: ${parsed.problem}` });
});
const HopName = z.string().min(1).optional();
const Component = z.string().min(1);
const StateValues = z.array(z.string().min(1));

const JourneyHop = z
  .strictObject({
    name: HopName,
    /** The component responsible for this hop: the one a failure here points at. */
    component: Component,
    /** A bus hop: an operation of the AsyncAPI document (its messages, on its channel)... */
    operation: z.string().min(1).optional(),
    /** ...or one message of it, on whichever channel carries it. */
    message: z.string().min(1).optional(),
    /** Where the business id sits in the payload; the message's correlationId otherwise. */
    id: JsonPath.optional(),
    /** A hop seen in the state read back: when it happened, at this JSON path of the answer. */
    at: JsonPath.optional(),
    /**
     * Where a bus hop's payload has the order's values the scenarios check: a wrong total or currency
     * is then traced to the first hop that carried it, and that hop's component.
     */
    carries: z.strictObject({ total: JsonPath.optional(), currency: JsonPath.optional() }).optional(),
  })
  .superRefine((hop, context) => {
    const kinds = [hop.operation, hop.message, hop.at].filter((value) => value !== undefined).length;
    if (kinds !== 1)
      context.addIssue({
        code: 'custom',
        message:
          'expected exactly one of "operation" or "message" (a hop on the bus) or "at" (a hop seen in the state read back)',
      });
    if (hop.at !== undefined && hop.id !== undefined)
      context.addIssue({ code: 'custom', path: ['id'], message: 'a hop seen in the state has no "id"' });
    if (hop.at !== undefined && hop.carries !== undefined)
      context.addIssue({
        code: 'custom',
        path: ['carries'],
        message: 'only a hop on the bus carries values: the state read back has journey.state.total',
      });
  });

/**
 * How a scenario's order becomes the create request: a JSON body template and headers, whose
 * placeholders name the order ("{order.customerId}", "{order.segment}", "{order.currency}",
 * "{order.apiKey}", and per line "{line.sku}", "{line.quantity}" in an array item with "{each}":
 * "order.lines"); `values` translates the harness's words into the pipeline's (b2c -> consumer).
 */
const OrderRequest = z.strictObject({
  body: z.json().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  values: z.record(z.string(), z.record(z.string(), z.string())).optional(),
});

export const JourneyConfig = z.strictObject({
  /** The HTTP operation that creates an order, and where its answer has the business id. */
  create: z.strictObject({
    name: HopName,
    component: Component,
    operationId: z.string().min(1),
    id: JsonPath,
    ...OrderRequest.shape,
    /** Other API versions a scenario may name ("through API v1"), each its own operation and body. */
    versions: z
      .record(
        z.string().regex(/^v\d+$/, 'expected an API version such as "v1"'),
        z.strictObject({
          operationId: z.string().min(1),
          /** Where this version's answer has the id; the create's `id` otherwise. */
          id: JsonPath.optional(),
          ...OrderRequest.shape,
        }),
      )
      .optional(),
  }),
  /** The operation that lists a customer's orders: what "each order exactly once" counts. */
  list: z
    .strictObject({
      component: Component,
      operationId: z.string().min(1),
      /** The query parameter that takes the customer. */
      customer: z.string().min(1),
      /** Where the answer has the orders (an array), and where each has its id. */
      items: JsonPath,
      id: JsonPath,
    })
    .optional(),
  /** The hops after it, in order. */
  hops: z.array(JourneyHop),
  /** The state read back: an operation with the id as a path parameter, and what its answer says. */
  state: z.strictObject({
    name: HopName,
    component: Component,
    operationId: z.string().min(1),
    /** The path parameter that takes the id; needed only when the operation has more than one. */
    idParameter: z.string().min(1).optional(),
    id: JsonPath,
    state: JsonPath,
    /** The order's total, in minor units (cents), and its currency. */
    total: JsonPath.optional(),
    currency: JsonPath.optional(),
    /** Why the order failed, when its state is a failed one (e.g. "$.failureReason"). */
    reason: JsonPath.optional(),
    /** When the last hop happened; without it, when a done or failed state was read. */
    at: JsonPath.optional(),
    /** Which values of `state` mean which stage; done and failed end the journey. */
    states: z.strictObject({
      received: StateValues,
      inProgress: StateValues,
      done: StateValues.min(1, 'expected at least one state value'),
      failed: StateValues.min(1, 'expected at least one state value'),
    }),
  }),
});
export type JourneyConfig = z.infer<typeof JourneyConfig>;

const Paths = z.array(z.string().min(1)).min(1, 'expected at least one path');

/** A secret (an API key, a password): from an environment variable, or (for test fixtures) as written. */
const Secret = z.union(
  [
    z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a variable name') }),
    z.strictObject({ value: z.string().min(1) }),
  ],
  { error: 'expected { "env": "VARIABLE_NAME" } or { "value": "..." }' },
);

export const ConfigFile = z.strictObject({
  profile: z.enum(profileNames).optional(),
  /** The team's feature files or folders (relative to this file): what `run` runs when given no paths. */
  features: Paths.optional(),
  /** The team's own step definitions and support code (files or globs, relative to this file). */
  steps: Paths.optional(),
  /** The release gate's policy; `mes-e2e gate --policy FILE` overrides it. */
  policy: PolicyConfig.optional(),
  /** A tag expression `run` applies by default (e.g. "not @perf"); --tags replaces it. */
  tags: z.string().optional(),
  /** Scenarios at a time (default 1); --parallel replaces it. */
  parallel: z.number().int().min(0).max(16).optional(),
  /** Attempts after a failure (default 0); a scenario that passes on a retry is flaky. */
  retry: z.number().int().min(0).max(10).optional(),
  /** Stop at the first failure. */
  failFast: z.boolean().optional(),
  /** Scenarios failed after which the rest do not start (default 5); 0 runs every scenario. */
  maxFailures: z.number().int().min(0).max(100_000).optional(),
  /** How long one step may take unless it names its own deadline (default 60 000). */
  stepTimeoutMs: z.number().int().min(1_000).max(3_600_000).optional(),
  reportsDir: z.string().min(1).optional(),
  /** The Chromium (or Chrome) executable for @ui scenarios; without it, $MES_E2E_CHROMIUM or the system's. */
  chromium: z.string().min(1).optional(),
  readyTimeoutMs: z.number().int().min(1_000).max(3_600_000).optional(),
  /**
   * The pipeline's components by name, over the profile's defaults (the reference stack's) unless the
   * configuration describes a pipeline of its own (gives `journey`): then exactly those named here.
   */
  components: Components.optional(),
  /** The pipeline's contracts; the reference stack's (services/reference.config.json) otherwise. */
  contracts: ContractsConfig.optional(),
  /**
   * Secrets by name, usable as "{secret.<name>}" in components' env, the journey's create request and
   * generic steps; masked in every log and report. A secret named as a reference CRM client
   * (b2c-web, b2b-portal, partner-acme...) is that client's API key for a CRM given by URL.
   */
  secrets: z
    .record(
      z.string().regex(/^[a-z][a-z0-9-]{0,59}$/, 'expected a lower-case name of letters, digits and dashes'),
      Secret,
    )
    .optional(),
  /** The hops of one order, in order; the reference stack's otherwise. Given, the pipeline is the team's own. */
  journey: JourneyConfig.optional(),
  profiles: z
    .strictObject(
      Object.fromEntries(
        profileNames.map((name) => [name, z.strictObject({ components: Components.optional() }).optional()]),
      ) as Record<ProfileName, z.ZodOptional<z.ZodObject<{ components: z.ZodOptional<typeof Components> }>>>,
    )
    .optional(),
});
export type ConfigFile = z.infer<typeof ConfigFile>;
