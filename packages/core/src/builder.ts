import type {
  Binding,
  Check,
  Collection,
  Cond,
  ContainerList,
  Json,
  Loop,
  Message,
  Rule,
  Value,
} from './ir.js';

/**
 * The typed builder for the rule IR. Every function returns plain IR data; nothing here runs at admission time.
 * Primitive operands (strings, numbers, booleans and lists of them) are wrapped as literals.
 */

export type Scalar = string | number | boolean;
export type Operand = Value | Scalar | readonly Scalar[];

/** Turns an operand into a Value; primitives and lists of primitives become literals. */
export function val(operand: Operand): Value {
  if (typeof operand === 'object' && !Array.isArray(operand)) return operand as Value;
  return { lit: (Array.isArray(operand) ? [...operand] : operand) as Json };
}

export const lit = (value: Json): Value => ({ lit: value });
export const param = (name: string): Value => ({ param: name });

/** Splits a dotted path; pass an array when a key contains a dot (annotation keys, sysctl names). */
export function toPath(path: string | readonly (string | number)[]): readonly (string | number)[] {
  if (typeof path !== 'string') return path;
  return path === '' ? [] : path.split('.');
}

/** Reads `path` from variable `from` (a `forEach` or loop variable, `pod` or `object`). */
export function field(from: string, path: string | readonly (string | number)[], fallback?: Json): Value {
  const read: { get: string; path: readonly (string | number)[]; default?: Json } = {
    get: from,
    path: toPath(path),
  };
  if (fallback !== undefined) read.default = fallback;
  return read;
}

/** A field of the Pod (or of the controller's pod template). */
export const pod = (path: string | readonly (string | number)[], fallback?: Json): Value =>
  field('pod', path, fallback);
/** A field of the admitted resource itself. */
export const object = (path: string | readonly (string | number)[], fallback?: Json): Value =>
  field('object', path, fallback);

export const coalesce = (...values: Operand[]): Value => ({ coalesce: values.map(val) });

export const concat = (...values: Operand[]): Value => ({ concat: values.map(val) });

export const all = (...conds: Cond[]): Cond => ({ all: conds });
export const any = (...conds: Cond[]): Cond => ({ any: conds });
export const not = (cond: Cond): Cond => ({ not: cond });
export const defined = (value: Value): Cond => ({ defined: value });
export const isUndefined = (value: Value): Cond => not(defined(value));
export const eq = (left: Operand, right: Operand): Cond => ({ eq: [val(left), val(right)] });
export const ne = (left: Operand, right: Operand): Cond => not(eq(left, right));
export const lt = (left: Operand, right: Operand): Cond => ({ lt: [val(left), val(right)] });
export const le = (left: Operand, right: Operand): Cond => ({ le: [val(left), val(right)] });
export const gt = (left: Operand, right: Operand): Cond => ({ gt: [val(left), val(right)] });
export const ge = (left: Operand, right: Operand): Cond => ({ ge: [val(left), val(right)] });
export const isTrue = (value: Value): Cond => eq(value, true);
export const oneOf = (value: Operand, list: Operand): Cond => ({ in: [val(value), val(list)] });
export const subsetOf = (list: Operand, of: Operand): Cond => ({ subset: [val(list), val(of)] });
export const startsWith = (value: Operand, prefixes: Operand): Cond => ({
  startsWith: [val(value), val(prefixes)],
});
export const glob = (value: Operand, patterns: Operand): Cond => ({ glob: [val(value), val(patterns)] });
export const matches = (value: Operand, regex: string): Cond => ({ matches: [val(value), regex] });

/** Every container of the pod, or only the named lists (e.g. `containers('containers', 'initContainers')`). */
export const containers = (...lists: ContainerList[]): Collection => ({
  containers: lists.length === 0 ? true : lists,
});
export const list = (value: Value): Collection => ({ list: value });
export const entries = (value: Value): Collection => ({ entries: value });

export const some = (variable: string, collection: Collection, where: Cond): Cond => ({
  some: { var: variable, in: collection, where } satisfies Loop,
});
export const every = (variable: string, collection: Collection, where: Cond): Cond => ({
  every: { var: variable, in: collection, where } satisfies Loop,
});

export const bind = (variable: string, collection: Collection): Binding => ({
  var: variable,
  in: collection,
});

/** Builds a message from a template literal: `msg\`container ${field('c', 'name')} is privileged\``. */
export function msg(strings: TemplateStringsArray, ...values: Operand[]): Message {
  const parts: (string | Value)[] = [];
  strings.forEach((text, i) => {
    if (text !== '') parts.push(text);
    if (i < values.length) {
      const value = values[i] as Operand;
      if (typeof value === 'string') parts.push(value);
      else parts.push(val(value));
    }
  });
  return parts;
}

export interface CheckInput {
  forEach?: Binding | readonly Binding[];
  deny: Cond;
  message: Message;
  field: string;
  fieldFrom?: string;
}

export function check(input: CheckInput): Check {
  const out: {
    forEach?: readonly Binding[];
    deny: Cond;
    message: Message;
    field: string;
    fieldFrom?: string;
  } = {
    deny: input.deny,
    message: input.message,
    field: input.field,
  };
  if (input.forEach !== undefined) out.forEach = 'var' in input.forEach ? [input.forEach] : input.forEach;
  if (input.fieldFrom !== undefined) out.fieldFrom = input.fieldFrom;
  return out;
}

export function rule(checks: readonly Check[], when?: Cond): Rule {
  return when === undefined ? { checks } : { when, checks };
}
