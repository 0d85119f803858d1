// The architecture's "never" arrows (README, Architecture) as dependency-cruiser rules: `npm run lint`
// fails on an import that breaks one, and test/architecture.test.ts shows that each rule bites.
//
// How the sources are read: dependency-cruiser 18 reads TypeScript only through a TypeScript compiler
// API below 7 (or swc, or babel), and this project has TypeScript 7, which has no such API. So it
// parses the .ts files with its JavaScript parser (acorn), which falls back to its tolerant parser
// (acorn-loose) on type syntax and still finds every import; the lint script names the files by glob,
// because a folder is searched only for extensions a compiler is installed for. The architecture test
// holds the result to the compiler's own view: every import `tsc --explainFiles` reports is in the graph.
//
// Type-only imports: acorn cannot tell them apart, and they count as dependencies in every rule. That
// is what the layering means: a step that names an environment type knows the environment, and the
// published World's declarations would drag it in. (A cycle through types only would be harmless at
// run time, but there is none, so counting them costs nothing.)

/** Anything that talks to the outside or runs things: drivers' and the environment's business. */
const ioPackages =
  '(^|/)node_modules/(amqplib|pg|testcontainers|@testcontainers/[^/]+|dockerode|axios|playwright|playwright-core|@cucumber/cucumber)/';
const ioBuiltins = '^(child_process|net|http|https|http2|tls|dgram|cluster|worker_threads)$';
const tests = '(^test/|\\.test\\.ts$)';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'steps-and-drivers-get-endpoints-only',
      comment:
        'Step definitions never start infrastructure, and drivers get endpoints only (DESIGN.md): what ' +
        'they know of the run is plain data the runner hands over (src/drivers/endpoints.ts and ' +
        'fault-targets.ts), so they never import the environment, the runner, the CLI or the reports.',
      severity: 'error',
      from: { path: '^(steps|fixtures|src/drivers)/' },
      to: { path: '^src/(environment|runner|cli|report)/' },
    },
    {
      name: 'environment-knows-no-gherkin',
      comment:
        'The environment brings components up and down for any caller (env up, a run, a test); it never ' +
        'knows about Gherkin, scenarios, verdicts or reports, so it imports no cucumber, steps, runner, ' +
        'gate, report or CLI.',
      severity: 'error',
      from: { path: '^src/environment/' },
      to: { path: ['^(steps|features)/', '^src/(runner|gate|report|cli)/', '(^|/)node_modules/@cucumber/'] },
    },
    {
      name: 'gate-does-no-io',
      comment:
        'The gate is pure: messages and a policy in, a verdict out, so that it can judge results from ' +
        'another machine or many shards. It imports nothing that talks to the outside or runs things: ' +
        'no environment, drivers, runner, reports or CLI, no broker, database, container, HTTP or browser ' +
        'client, no child processes or sockets. (Its tests beside it may.)',
      severity: 'error',
      from: { path: '^src/gate/', pathNot: tests },
      to: { path: ['^src/(environment|drivers|runner|report|cli)/', ioPackages, ioBuiltins] },
    },
    {
      name: 'gate-reads-only-its-input',
      comment:
        'The one file the gate reads is its input, the messages file, and only messages.ts reads it ' +
        '(allowed here on purpose: refusing an empty, truncated or foreign file is part of the verdict, ' +
        'and the gate command and the run both go through it). The gate writes nothing: gate.json and ' +
        'summary.md are written by src/report and src/cli.',
      severity: 'error',
      from: { path: '^src/gate/', pathNot: [tests, '^src/gate/messages\\.ts$'] },
      to: { path: '^fs(/promises)?$' },
    },
    {
      name: 'only-bin-starts-the-cli',
      comment:
        'src/cli is the edge: it parses flags, chooses exit codes and is the only place that touches ' +
        'process. bin/mes-e2e starts it (and tests drive it); nothing inside the harness calls up into it.',
      severity: 'error',
      from: { pathNot: ['^bin/', '^src/cli/', tests] },
      to: { path: '^src/cli/' },
    },
    {
      name: 'config-is-read-first',
      comment:
        'Configuration is parsed once, at the edge, into a frozen plan that everything else reads, so it ' +
        'imports none of them. One exception: the plan carries the gate policy in the terms of ' +
        'src/gate/policy.ts (its type and its safe defaults: pure data, no I/O), which the gate owns.',
      severity: 'error',
      from: { path: '^src/config/' },
      to: { path: '^src/(environment|runner|gate|report|drivers|cli)/', pathNot: '^src/gate/policy\\.ts$' },
    },
    {
      name: 'harness-never-imports-services',
      comment:
        'services/ is the reference stack the harness tests, reached only over HTTP, AMQP and SQL, and ' +
        'built into images from its sources: the harness never imports its code.',
      severity: 'error',
      from: { path: '^(src|steps|fixtures)/' },
      to: { path: '^services/' },
    },
    {
      name: 'services-are-self-contained',
      comment:
        'Each reference service is built into an image from services/ alone, with services/package.json: ' +
        'it imports nothing outside services/ (no harness code, no package only the harness installs).',
      severity: 'error',
      from: { path: '^services/' },
      to: { pathNot: '^services/', dependencyTypesNot: ['core'] },
    },
    {
      name: 'no-circular',
      comment:
        'Imports go one way (cli -> {config, environment, runner, gate, report} -> drivers): a cycle ' +
        'means two modules are one job, or one knows too much.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      comment: 'An import that resolves to nothing fails at run time, or the package lacks a dependency.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Acorn, as explained at the top: no TypeScript compiler that dependency-cruiser 18 supports.
    parser: 'acorn',
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|reports)/' },
    // Paths as the repository names them (services/node_modules, not where a symlink points).
    preserveSymlinks: true,
    // Node's resolution: packages by their "exports", imports with their .ts extension.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'node', 'default'],
      mainFields: ['main'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
