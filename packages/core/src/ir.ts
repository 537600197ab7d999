/**
 * The rule IR: a small, declarative, JSON-serializable language that every Palisade backend compiles
 * (validator, Gatekeeper Rego and CEL, Kyverno, ValidatingAdmissionPolicy). It is data, never code.
 *
 * Semantics every backend must reproduce (the validator is the reference implementation):
 * - A field that is missing, or is JSON `null`, reads as *undefined*. Reading through a non-object is undefined.
 * - `eq`, `in`, comparisons, `startsWith`, `glob` and `matches` are false when an operand is undefined.
 *   Equality is strict JSON equality (`"true"` is not `true`; strings are case-sensitive).
 * - `every` over an undefined or empty collection is true; `some` is false.
 * - A check reports one violation per binding of its `forEach` variables for which `deny` holds.
 * - A rule whose `when` is false does not apply to the resource (the result is `skip`).
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Built-in variables: `object` is the admitted resource; `pod` is the Pod, or the pod template of a controller. */
export type BuiltinVar = 'object' | 'pod';

/** An expression producing a JSON value (or undefined). */
export type Value =
  /** A constant. */
  | { lit: Json }
  /** A policy parameter, by name. Parameter values travel as data, never as generated source. */
  | { param: string }
  /** Read `path` (object keys, or list indexes as numbers) from a variable; `default` replaces undefined. */
  | { get: string; path: readonly (string | number)[]; default?: Json }
  /** The first operand that is defined. */
  | { coalesce: readonly Value[] }
  /** String concatenation; undefined unless every operand is a string. */
  | { concat: readonly Value[] };

/** What a loop or a `forEach` ranges over. */
export type Collection =
  /** Elements of a list (undefined reads as empty). */
  | { list: Value }
  /** Entries `{key, value}` of a map (undefined reads as empty). */
  | { entries: Value }
  /**
   * Containers of the pod: `true` for every list (`spec.initContainers`, `spec.containers`,
   * `spec.ephemeralContainers`, in that order), or the named lists only. Containers whose image matches an image
   * exception are not visited.
   */
  | { containers: true | readonly ContainerList[] };

export type ContainerList = 'initContainers' | 'containers' | 'ephemeralContainers';

export interface Loop {
  var: string;
  in: Collection;
  where: Cond;
}

/** A boolean condition. */
export type Cond =
  | { all: readonly Cond[] }
  | { any: readonly Cond[] }
  | { not: Cond }
  /** The value is present and not null. */
  | { defined: Value }
  | { eq: readonly [Value, Value] }
  | { lt: readonly [Value, Value] }
  | { le: readonly [Value, Value] }
  | { gt: readonly [Value, Value] }
  | { ge: readonly [Value, Value] }
  /** The left value is an element of the right list. */
  | { in: readonly [Value, Value] }
  /** Every element of the left list is an element of the right list (an undefined left list is empty). */
  | { subset: readonly [Value, Value] }
  /** The left string starts with the right string, or with any string of the right list. */
  | { startsWith: readonly [Value, Value] }
  /** The left string matches the right glob (`*` any run, `?` one character), or any glob of the right list. */
  | { glob: readonly [Value, Value] }
  /** The value is a string matching this regular expression (the RE2 subset shared by Rego, CEL and JS). */
  | { matches: readonly [Value, string] }
  | { some: Loop }
  | { every: Loop };

/** A binding introduced by `forEach`. */
export interface Binding {
  var: string;
  in: Collection;
}

/** A message: literal text and values, concatenated. Values print as text (lists joined by ", "). */
export type Message = readonly (string | Value)[];

export interface Check {
  /** Nested bindings; the check runs once per combination. */
  forEach?: readonly Binding[];
  /** When true for a binding, that binding is a violation. */
  deny: Cond;
  message: Message;
  /** The offending field (dotted), relative to `fieldFrom`. */
  field: string;
  /** The variable `field` is relative to. @default the innermost `forEach` variable, else `pod` (else `object`) */
  fieldFrom?: string;
}

export interface Rule {
  /** Precondition: when false the policy does not apply to this resource (result `skip`). */
  when?: Cond;
  checks: readonly Check[];
}
