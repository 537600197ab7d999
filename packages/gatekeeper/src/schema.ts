import { z } from 'zod';
import { EXEMPT_IMAGES_PARAM, EXEMPT_RESOURCES_PARAM } from './names.js';

/**
 * The constraint's parameters schema: the policy's zod schema as JSON Schema (input side, so defaults are
 * optional), rewritten to the structural OpenAPI v3 subset a CRD accepts. Anything without a structural
 * equivalent keeps its place as `x-kubernetes-preserve-unknown-fields` and is reported, never silently dropped.
 */
export type OpenApiSchema = { [key: string]: unknown };

/** Keywords copied as they are. */
const KEPT = [
  'description',
  'default',
  'enum',
  'format',
  'pattern',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'minProperties',
  'maxProperties',
  'uniqueItems',
] as const;
/** Keywords with no effect on validation or with nothing to say in a CRD. */
const IGNORED = new Set([
  '$schema',
  'propertyNames',
  'title',
  'examples',
  'readOnly',
  'writeOnly',
  '$comment',
]);

function convert(schema: unknown, where: string, problems: string[]): OpenApiSchema {
  if (schema === true || schema === undefined) return { 'x-kubernetes-preserve-unknown-fields': true };
  if (typeof schema !== 'object' || schema === null) {
    problems.push(`${where}: unsupported schema ${JSON.stringify(schema)}`);
    return { 'x-kubernetes-preserve-unknown-fields': true };
  }
  const s = schema as Record<string, unknown>;
  const out: OpenApiSchema = {};
  const unsupported: string[] = [];
  for (const [key, value] of Object.entries(s)) {
    if (IGNORED.has(key) || (KEPT as readonly string[]).includes(key)) continue;
    switch (key) {
      case 'type':
        if (typeof value === 'string') out.type = value;
        else if (Array.isArray(value) && value.length === 2 && value.includes('null')) {
          out.type = value.find((t) => t !== 'null');
          out.nullable = true;
        } else unsupported.push(`type ${JSON.stringify(value)}`);
        break;
      case 'const':
        out.enum = [value];
        break;
      case 'properties':
        out.properties = Object.fromEntries(
          Object.entries(value as Record<string, unknown>).map(([k, v]) => [
            k,
            convert(v, `${where}.${k}`, problems),
          ]),
        );
        break;
      case 'required':
        if (Array.isArray(value) && value.length > 0) out.required = value;
        break;
      case 'additionalProperties':
        // `false` is the default for a structural schema with properties; a schema describes a map.
        if (value !== false) out.additionalProperties = convert(value, `${where}.*`, problems);
        break;
      case 'items':
        if (value === false) unsupported.push('tuple items');
        else out.items = convert(value, `${where}[]`, problems);
        break;
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        if (typeof value === 'number') {
          out[key === 'exclusiveMinimum' ? 'minimum' : 'maximum'] = value;
          out[key] = true;
        } else unsupported.push(key);
        break;
      default:
        unsupported.push(key);
    }
  }
  for (const key of KEPT) if (key in s) out[key] = s[key];
  if (out.type === 'array' && out.items === undefined && unsupported.length === 0) {
    out.items = { 'x-kubernetes-preserve-unknown-fields': true };
  }
  if (unsupported.length > 0 || out.type === undefined) {
    problems.push(
      `${where}: ${unsupported.length > 0 ? unsupported.join(', ') : 'no type'} has no structural OpenAPI equivalent; the field is not validated by Gatekeeper`,
    );
    const kept: OpenApiSchema = { 'x-kubernetes-preserve-unknown-fields': true };
    if (typeof out.description === 'string') kept.description = out.description;
    return kept;
  }
  return out;
}

export const EXEMPT_IMAGES_SCHEMA: OpenApiSchema = {
  type: 'array',
  items: { type: 'string' },
  description:
    'Images (globs: * any run, ? one character) whose containers are not checked. Generated from Palisade image exceptions.',
};

const STRINGS: OpenApiSchema = { type: 'array', items: { type: 'string' } };

export const EXEMPT_RESOURCES_SCHEMA: OpenApiSchema = {
  type: 'array',
  description:
    'Resources not checked: each entry exempts a resource matching all of its criteria (kinds; namespace and name globs, * any run, ? one character; a label selector). Generated from Palisade exceptions.',
  items: {
    type: 'object',
    properties: {
      kinds: STRINGS,
      namespaces: STRINGS,
      names: STRINGS,
      images: STRINGS,
      labels: {
        type: 'object',
        properties: {
          matchLabels: { type: 'object', additionalProperties: { type: 'string' } },
          matchExpressions: {
            type: 'array',
            items: {
              type: 'object',
              properties: { key: { type: 'string' }, operator: { type: 'string' }, values: STRINGS },
            },
          },
        },
      },
    },
  },
};

export function parametersSchema(params: z.ZodType, policyId: string, problems: string[]): OpenApiSchema {
  const converted = convert(
    z.toJSONSchema(params, { io: 'input' }),
    `policy ${policyId} parameters`,
    problems,
  );
  const properties = { ...((converted.properties as Record<string, unknown> | undefined) ?? {}) };
  if (EXEMPT_IMAGES_PARAM in properties) {
    throw new Error(
      `policy ${policyId}: parameter "${EXEMPT_IMAGES_PARAM}" is reserved for image exceptions`,
    );
  }
  if (EXEMPT_RESOURCES_PARAM in properties) {
    throw new Error(
      `policy ${policyId}: parameter "${EXEMPT_RESOURCES_PARAM}" is reserved for resource exceptions`,
    );
  }
  properties[EXEMPT_IMAGES_PARAM] = EXEMPT_IMAGES_SCHEMA;
  properties[EXEMPT_RESOURCES_PARAM] = EXEMPT_RESOURCES_SCHEMA;
  return { ...converted, type: 'object', properties };
}
