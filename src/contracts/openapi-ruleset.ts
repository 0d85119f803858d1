// The Spectral ruleset OpenAPI documents are linted with. Meant to be Spectral's own `oas` ruleset
// (@stoplight/spectral-rulesets, not installed yet): then this file becomes
//   export { oas as openApiRuleset } from '@stoplight/spectral-rulesets';
// Until then, the two rules this harness itself depends on: journeys name HTTP operations by their
// operationId, so each operation needs one and no two may share it. (Whether the document is valid
// OpenAPI 3 at all is swagger-parser's check, before any lint.)
import { createRulesetFunction, type RulesetDefinition } from '@stoplight/spectral-core';
import { truthy } from '@stoplight/spectral-functions';

const operations = '$.paths[*][get,put,post,delete,options,head,patch,trace]';

/** Each operationId used by more than one operation, at every use after the first. */
const uniqueOperationIds = createRulesetFunction<unknown, null>(
  { input: null, options: null },
  (paths, _options, context) => {
    if (paths === null || typeof paths !== 'object') return [];
    const firstUse = new Map<string, string>();
    const results = [];
    for (const [path, item] of Object.entries(paths)) {
      if (item === null || typeof item !== 'object') continue;
      for (const [method, operation] of Object.entries(item)) {
        const id = (operation as { operationId?: unknown } | null)?.operationId;
        if (typeof id !== 'string') continue;
        const here = `${method.toUpperCase()} ${path}`;
        const first = firstUse.get(id);
        if (first === undefined) firstUse.set(id, here);
        else
          results.push({
            message: `operationId "${id}" is also the one of ${first}`,
            path: [...context.path, path, method, 'operationId'],
          });
      }
    }
    return results;
  },
);

export const openApiRuleset: RulesetDefinition = {
  rules: {
    'operation-operationId-unique': {
      description: 'Every operation has an operationId of its own.',
      message: '{{error}}',
      severity: 'error',
      given: '$.paths',
      // biome-ignore lint/suspicious/noThenProperty: Spectral's rule format names what a rule runs `then`
      then: { function: uniqueOperationIds },
    },
    'operation-operationId': {
      description: 'Every operation has an operationId (journeys and generic steps name operations by it).',
      message: 'the operation has no operationId',
      severity: 'warn',
      given: operations,
      // biome-ignore lint/suspicious/noThenProperty: as above
      then: { field: 'operationId', function: truthy },
    },
  },
};
