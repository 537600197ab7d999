import type { Value } from '@palisade/core';
import { LIB } from './lib.js';
import { regoLiteral, regoString } from './literal.js';
import type { Scope } from './scope.js';

/** A compiled value: a Rego expression that is always defined (null when the IR value is undefined). */
export interface Expr {
  text: string;
  /** Local Rego variables the expression reads. */
  vars: ReadonlySet<string>;
}

const NONE: ReadonlySet<string> = new Set();

export const constant = (text: string): Expr => ({ text, vars: NONE });

export function joinExprs(exprs: readonly Expr[]): Set<string> {
  const out = new Set<string>();
  for (const e of exprs) for (const v of e.vars) out.add(v);
  return out;
}

/** A variable as the IR sees it: unknown names read as undefined, like an unset variable in the reference. */
export function variable(scope: Scope, name: string): Expr {
  const entry = scope.get(name);
  if (!entry) return constant('null');
  return { text: entry.expr, vars: entry.local ? new Set([entry.local]) : NONE };
}

/**
 * Reads `path` from `root` in one library call (docs/ir.md, reads): a string key reads an object's own key, a number
 * indexes a list; any other step (a key of a list such as `length`, an index of an object, any step into a string,
 * number or boolean) is a type mismatch, which the validator reports and generated policies read as absent (null).
 * `object.get` with an array path does exactly that.
 */
export function readPath(root: Expr, path: readonly (string | number)[]): Expr {
  if (path.length === 0) return root;
  return { text: `${LIB}.get(${root.text}, ${regoLiteral([...path])})`, vars: root.vars };
}

export function compileValue(value: Value, scope: Scope): Expr {
  if ('lit' in value) return constant(regoLiteral(value.lit));
  if ('param' in value) {
    // Parameters are data: the constraint's values reach the policy through `input.parameters`.
    return constant(`object.get(input, ["parameters", ${regoString(value.param)}], null)`);
  }
  if ('get' in value) {
    const read = readPath(variable(scope, value.get), value.path);
    if (value.default === undefined || value.default === null) return read;
    return { text: `${LIB}.or_else(${read.text}, ${regoLiteral(value.default)})`, vars: read.vars };
  }
  if ('concat' in value) {
    const parts = value.concat.map((v) => compileValue(v, scope));
    return {
      text: `${LIB}.concat_strings([${parts.map((p) => p.text).join(', ')}])`,
      vars: joinExprs(parts),
    };
  }
  const parts = value.coalesce.map((v) => compileValue(v, scope));
  const last = parts[parts.length - 1];
  if (!last) return constant('null');
  let text = last.text;
  for (let i = parts.length - 2; i >= 0; i--) text = `${LIB}.or_else(${parts[i]?.text}, ${text})`;
  return { text, vars: joinExprs(parts) };
}
