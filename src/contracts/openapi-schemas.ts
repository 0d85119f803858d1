// An OpenAPI document's schemas in the JSON Schema dialect Ajv validates: OpenAPI 3.1's are JSON Schema
// 2020-12 already (less the 3.0 keyword `nullable`, which means nothing there); OpenAPI 3.0's
// `nullable` and boolean `exclusiveMinimum`/`exclusiveMaximum` become their JSON Schema forms.
import type { JsonObject } from '../config/contracts.ts';

type Schema = { [key: string]: unknown };

const asObject = (value: unknown): Schema | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Schema) : undefined;

/** Keywords whose value is a schema, a list of schemas, or a map of names to schemas. */
const schemaKeywords = [
  'items',
  'additionalProperties',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
  'unevaluatedItems',
  'unevaluatedProperties',
  'additionalItems',
] as const;
const listKeywords = ['allOf', 'anyOf', 'oneOf', 'prefixItems'] as const;
const mapKeywords = ['properties', 'patternProperties', 'dependentSchemas', '$defs', 'definitions'] as const;

type Dialect = (schema: Schema) => Schema;

/** Draft-04's `exclusiveMinimum: true` beside `minimum: 0` is JSON Schema's `exclusiveMinimum: 0`. */
function exclusiveBoundsAsNumbers(schema: Schema): Schema {
  const converted: Schema = { ...schema };
  for (const [flag, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof converted[flag] !== 'boolean') continue;
    if (converted[flag] === true && typeof converted[bound] === 'number') {
      converted[flag] = converted[bound];
      delete converted[bound];
    } else delete converted[flag];
  }
  return converted;
}

/** `nullable: true` as a type (and enum) that admits null; without a type to widen, null or the rest. */
function nullableAsType(schema: Schema): Schema {
  const { nullable, ...rest } = schema;
  if (nullable !== true) return rest;
  if (typeof rest.type !== 'string') return { anyOf: [rest, { type: 'null' }] };
  const admitsNull = !Array.isArray(rest.enum) || rest.enum.includes(null);
  return {
    ...rest,
    type: [rest.type, 'null'],
    ...(admitsNull ? {} : { enum: [...(rest.enum as unknown[]), null] }),
  };
}

const fromOpenApi30: Dialect = (schema) => nullableAsType(exclusiveBoundsAsNumbers(schema));

/** OpenAPI 3.1: `nullable` is no keyword of its dialect (Ajv would still read it): dropped. */
const fromOpenApi31: Dialect = (schema) => {
  const { nullable: _ignored, ...rest } = schema;
  return rest;
};

function convertSchema(value: unknown, dialect: Dialect): unknown {
  const schema = asObject(value);
  // A $ref is converted where it points (components.schemas).
  if (!schema || typeof schema.$ref === 'string') return value;
  // The dialect first: a 3.0 nullable schema without a type comes back wrapped, itself inside anyOf.
  return convertInside(dialect(schema), dialect);
}

function convertInside(schema: Schema, dialect: Dialect): Schema {
  const result: Schema = { ...schema };
  for (const keyword of schemaKeywords) {
    const inner = result[keyword];
    if (Array.isArray(inner)) result[keyword] = inner.map((item) => convertSchema(item, dialect));
    else if (asObject(inner)) result[keyword] = convertSchema(inner, dialect);
  }
  for (const keyword of listKeywords) {
    const inner = result[keyword];
    if (Array.isArray(inner)) result[keyword] = inner.map((item) => convertSchema(item, dialect));
  }
  for (const keyword of mapKeywords) {
    const inner = asObject(result[keyword]);
    if (inner)
      result[keyword] = Object.fromEntries(
        Object.entries(inner).map(([name, item]) => [name, convertSchema(item, dialect)]),
      );
  }
  return result;
}

const mapValues = (value: unknown, convert: (inner: unknown) => unknown): unknown => {
  const map = asObject(value);
  return map ? Object.fromEntries(Object.entries(map).map(([key, inner]) => [key, convert(inner)])) : value;
};

/** A response (or a components.responses entry): each media type's schema converted. */
const convertResponse = (response: unknown, dialect: Dialect): unknown => {
  const object = asObject(response);
  if (!object?.content) return response;
  return {
    ...object,
    content: mapValues(object.content, (media) => {
      const entry = asObject(media);
      return entry && 'schema' in entry ? { ...entry, schema: convertSchema(entry.schema, dialect) } : media;
    }),
  };
};

const convertOperation = (operation: unknown, dialect: Dialect): unknown => {
  const object = asObject(operation);
  if (!object?.responses) return operation;
  return {
    ...object,
    responses: mapValues(object.responses, (response) => convertResponse(response, dialect)),
  };
};

/**
 * A copy of the document whose response schemas and components.schemas are in the JSON Schema dialect
 * Ajv validates for its OpenAPI version. Other parts are left as they are: only these are validated.
 */
export function jsonSchemaOf(document: JsonObject, version: string): JsonObject {
  const dialect = version.startsWith('3.0') ? fromOpenApi30 : fromOpenApi31;
  const components = asObject(document.components);
  return {
    ...document,
    paths: mapValues(document.paths, (item) => {
      const pathItem = asObject(item);
      return pathItem
        ? Object.fromEntries(
            Object.entries(pathItem).map(([key, inner]) => [key, convertOperation(inner, dialect)]),
          )
        : item;
    }),
    ...(components
      ? {
          components: {
            ...components,
            schemas: mapValues(components.schemas, (schema) => convertSchema(schema, dialect)),
            responses: mapValues(components.responses, (response) => convertResponse(response, dialect)),
          },
        }
      : {}),
  };
}
