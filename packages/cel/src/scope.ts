import type { ContainerList } from '@palisade/core';

/**
 * How an IR variable reads in CEL. `map` promises the value is a map or null (reads need no list guard); an
 * `entry` is a map entry of an `entries` collection, read straight from the map (`key`, `value`) rather than
 * built as a map, which would put a comprehension where CEL's cost estimation is slowest.
 */
export type VarRef = { expr: string; map: boolean } | { entry: { map: string; key: string } };

/** What compiling an IR node needs to know about its surroundings. */
export interface Scope {
  /** How each IR variable in scope reads (`object`, `pod`, loop and `forEach` variables). */
  readonly vars: ReadonlyMap<string, VarRef>;
  /** CEL expression of the parameter object. */
  readonly params: string;
  /** CEL list of the pod's containers in the given lists, image exceptions already removed. */
  readonly containers: (lists: readonly ContainerList[]) => string;
  /** A comprehension variable name not used anywhere else in the expression being built. */
  readonly fresh: () => string;
}

export function withVar(scope: Scope, name: string, ref: VarRef): Scope {
  return { ...scope, vars: new Map(scope.vars).set(name, ref) };
}

export function freshNames(prefix = 'x'): () => string {
  let n = 0;
  return () => `${prefix}${n++}`;
}

/** An expression that is cheap and safe to repeat: an identifier, a field path of identifiers, or a literal. */
function isAtomic(expr: string): boolean {
  const inner = /^dyn\((.*)\)$/s.exec(expr)?.[1] ?? expr;
  return /^(?:[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*|null|true|false|-?[0-9][0-9.e+-]*|"(?:[^"\\]|\\.)*")$/s.test(
    inner,
  );
}

/*
 * Binding. The Kubernetes CEL environments have no `cel.bind`, so a one-element list comprehension binds a value.
 * Kyverno's CLI compiles every policy once per resource, and compile time grows steeply with comprehensions nested
 * in another comprehension's *range*; so the bound expression must itself hold no comprehension. Values compile
 * to flat expressions (optional chains and ternaries), which keeps that true.
 */
export function bindBool(scope: Scope, expr: string, body: (name: string) => string): string {
  if (isAtomic(expr)) return body(expr);
  const name = scope.fresh();
  return `[${expr}].all(${name}, ${body(name)})`;
}

export function bindValue(scope: Scope, expr: string, body: (name: string) => string): string {
  if (isAtomic(expr)) return body(expr);
  const name = scope.fresh();
  return `[${expr}].map(${name}, ${body(name)})[0]`;
}

/** `type(x) == int || ...`: JSON numbers decode as int or double (uint never, but it costs nothing). */
export const isNumber = (x: string): string =>
  `(type(${x}) == int || type(${x}) == double || type(${x}) == uint)`;
