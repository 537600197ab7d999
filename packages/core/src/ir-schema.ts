import { z } from 'zod';
import type { Binding, Check, Collection, Cond, Json, Loop, Message, Rule, Value } from './ir.js';

/** zod schemas for the rule IR: a serialized rule can be checked before any backend compiles it. */

const varName = z.string().regex(/^[a-z][A-Za-z0-9_]*$/, 'variable names are lower camelCase identifiers');
/** Variables a loop or `forEach` binds: never a built-in, which later checks still read. */
const boundName = varName.refine(
  (name) => name !== 'pod' && name !== 'object',
  'pod and object are built-in variables',
);

export const jsonSchema: z.ZodType<Json> = z.lazy(() =>
  z.union([
    z.null(),
    z.boolean(),
    z.number(),
    z.string(),
    z.array(jsonSchema),
    z.record(z.string(), jsonSchema),
  ]),
);

export const valueSchema: z.ZodType<Value> = z.lazy(() =>
  z.union([
    z.strictObject({ lit: jsonSchema }),
    z.strictObject({ param: z.string().min(1) }),
    z.strictObject({
      get: varName,
      path: z.array(z.union([z.string(), z.number().int().nonnegative()])).readonly(),
      default: jsonSchema.optional(),
    }),
    z.strictObject({ coalesce: z.array(valueSchema).min(1).readonly() }),
    z.strictObject({ concat: z.array(valueSchema).min(1).readonly() }),
  ]),
) as z.ZodType<Value>;

export const collectionSchema: z.ZodType<Collection> = z.union([
  z.strictObject({ list: valueSchema }),
  z.strictObject({ entries: valueSchema }),
  z.strictObject({
    containers: z.union([
      z.literal(true),
      z
        .array(z.enum(['initContainers', 'containers', 'ephemeralContainers']))
        .min(1)
        .readonly(),
    ]),
  }),
]);

const pair = z.tuple([valueSchema, valueSchema]).readonly();

export const condSchema: z.ZodType<Cond> = z.lazy(() => {
  const loop: z.ZodType<Loop> = z.strictObject({ var: boundName, in: collectionSchema, where: condSchema });
  return z.union([
    z.strictObject({ all: z.array(condSchema).readonly() }),
    z.strictObject({ any: z.array(condSchema).readonly() }),
    z.strictObject({ not: condSchema }),
    z.strictObject({ defined: valueSchema }),
    z.strictObject({ eq: pair }),
    z.strictObject({ lt: pair }),
    z.strictObject({ le: pair }),
    z.strictObject({ gt: pair }),
    z.strictObject({ ge: pair }),
    z.strictObject({ in: pair }),
    z.strictObject({ subset: pair }),
    z.strictObject({ startsWith: pair }),
    z.strictObject({ glob: pair }),
    z.strictObject({ matches: z.tuple([valueSchema, z.string()]).readonly() }),
    z.strictObject({ some: loop }),
    z.strictObject({ every: loop }),
  ]);
}) as z.ZodType<Cond>;

export const bindingSchema: z.ZodType<Binding> = z.strictObject({ var: boundName, in: collectionSchema });

export const messageSchema: z.ZodType<Message> = z.array(z.union([z.string(), valueSchema])).readonly();

export const checkSchema: z.ZodType<Check> = z.strictObject({
  forEach: z.array(bindingSchema).readonly().optional(),
  deny: condSchema,
  message: messageSchema,
  field: z.string(),
  fieldFrom: varName.optional(),
}) as z.ZodType<Check>;

export const ruleSchema: z.ZodType<Rule> = z.strictObject({
  when: condSchema.optional(),
  checks: z.array(checkSchema).min(1).readonly(),
}) as z.ZodType<Rule>;
