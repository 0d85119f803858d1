// The Spectral ruleset OpenAPI documents are linted with: Spectral's own `oas` ruleset (its
// recommended rules), the one the field already runs (`spectral lint`), so a finding here is one a
// team's own tooling would show too.
import type { RulesetDefinition } from '@stoplight/spectral-core';
import { oas } from '@stoplight/spectral-rulesets';

export const openApiRuleset: RulesetDefinition = { extends: [[oas as RulesetDefinition, 'recommended']] };
