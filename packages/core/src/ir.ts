/**
 * The rule IR: a small, declarative, JSON-serializable language that every Palisade backend compiles
 * (validator, Gatekeeper Rego and CEL, Kyverno, ValidatingAdmissionPolicy). It is data, never code.
 *
 * Semantics every backend must reproduce (full tables: docs/ir.md "Semantics"; the validator is the reference):
 * - JSON `null` and a missing field are *undefined* to every read, operator and collection.
 * - A read steps along its path: a string key on an object gives that own key, a numeric index on a list that
 *   element (out of range: undefined); undefined stops the path. A string key on a list (`length` too), an index on
 *   an object, or any step into a string, number or boolean is a TYPE MISMATCH.
 * - `list` over a defined non-list, `entries` over a defined non-object, a container list that is not a list or a
 *   container that is not an object is a TYPE MISMATCH.
 * - A read whose defined value has a JSON type the rule makes impossible is a TYPE MISMATCH: the types a field may
 *   have are the union, over the rule, of the types of the literals and parameters it is compared with (`eq`,
 *   comparisons, `in` elements), string for `startsWith`/`glob`/`matches`/`concat` operands, list or object for
 *   what is ranged over. `defined` and messages imply nothing. So `privileged: "true"` tested with `eq true` is a
 *   mismatch, while a CPU quantity compared with `0` and matched as a string may be either.
 * - `eq` is strict JSON equality (different types: false). `lt/le/gt/ge` hold for two numbers or two strings
 *   (code-point order), else false. `in`/`subset` need a list on the right (`subset` of undefined is true).
 *   `startsWith`/`glob`/`matches` need a string on the left. `concat` is undefined unless every operand is a
 *   string; `coalesce` is its first defined operand. Every operator is false on an undefined operand.
 * - `every` over no items is true; `some` is false. A check reports one violation per binding of its `forEach`
 *   variables for which `deny` holds. A rule whose `when` is false does not apply (the result is `skip`).
 * - Evaluation is left to right with short-circuit (`all`, `any`, loops, `coalesce`); the first TYPE MISMATCH
 *   stops the resource's evaluation against the policy. The validator reports it as an `error` result naming the
 *   field and the types expected; generated engine policies treat a mismatched read as undefined and never fail on
 *   it (a real API server rejects such objects before admission), so their verdict there is unspecified but safe.
 * - Messages print undefined as `<unset>`, strings as themselves, lists joined by ", ", the rest as JSON.
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
