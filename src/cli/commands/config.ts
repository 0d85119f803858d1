// `mes-e2e config`: shows the plan the configuration resolves to (profile, how a run runs, which
// scenarios, each component's source).
import type { ResolvedComponent } from '../../config/defaults.ts';
import type { RunPlan } from '../../config/load.ts';
import { maskCredentials, type Output, withoutSecrets } from '../output.ts';

export function describeSource(component: ResolvedComponent): string {
  switch (component.source) {
    case 'container':
      return component.build
        ? `image ${component.image}, built from services/${component.build.dockerfile}`
        : `image ${component.image}`;
    case 'process':
      return `process: ${component.command.join(' ')} (in ${component.cwd})`;
    case 'url':
      return maskCredentials(component.url);
  }
}

export function printPlan(plan: RunPlan, out: Output, asJson: boolean): void {
  if (asJson) {
    out.json(withoutSecrets(plan));
    return;
  }
  out.line(`configuration: ${plan.configFile ?? 'none found (defaults)'}`);
  out.line(`profile:       ${plan.profile} (${plan.profileFrom})`);
  out.line(`reports:       ${plan.reportsDir}`);
  const { run, selection } = plan;
  out.line(
    `run:           ${run.parallel} at a time, ${run.retry} retries${run.failFast ? ', fail-fast' : run.maxFailures > 0 ? `, stops after ${run.maxFailures} failures` : ''}, steps up to ${run.stepTimeoutMs / 1000} s`,
  );
  out.line(`scenarios:     ${selection.tags || 'all'} in ${selection.paths.join(', ')}`);
  const { quarantine } = plan.policy;
  out.line(
    `quarantine:    ${quarantine.entries.length === 0 ? 'nothing' : `${quarantine.entries.length} ${quarantine.entries.length === 1 ? 'entry' : 'entries'}`} (${quarantine.file ?? 'no file'}; at most ${quarantine.max} scenarios at once)`,
  );
  const { contracts, journey } = plan;
  const openapi = Object.entries(contracts.openapi).map(([name, { file }]) => `${name} ${file}`);
  out.line(`contracts:     AsyncAPI ${contracts.asyncapi.file}; OpenAPI ${openapi.join(', ') || 'none'}`);
  const hops = [journey.create, ...journey.hops, journey.state].map(
    (hop) => `${hop.name} (${hop.component})`,
  );
  out.line(`journey:       ${hops.join(' -> ')}`);
  out.line();
  const secrets = Object.keys(plan.secrets);
  if (secrets.length > 0) out.line(`secrets:       ${secrets.join(', ')} (values never shown)`);
  const components = Object.values(plan.components);
  const width = Math.max(...components.map((component) => component.name.length));
  for (const component of components) {
    out.line(
      `  ${out.color.bold(component.name.padEnd(width))}  ${component.source.padEnd(9)} ${describeSource(component)}`,
    );
  }
}
