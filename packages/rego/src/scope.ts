/**
 * What an IR variable name means at a point of the generated module. Every variable bound by `forEach`, `some` or
 * `every` gets one Rego name for its whole lifetime, used both where it is bound and as the parameter name of
 * every helper function that reads it, so compiled text does not depend on where it is placed.
 */
export interface ScopeEntry {
  /** The Rego expression for the value (null when absent). */
  expr: string;
  /** The Rego variable to pass to helper functions; undefined for module-level values (`object`, `pod`). */
  local: string | undefined;
  /** A Rego expression for the value's path in the resource (an array, or null), if known. */
  path: string | undefined;
}

export type Scope = ReadonlyMap<string, ScopeEntry>;

export const OBJECT_EXPR = 'input.review.object';

/** The built-in variables. `pod` and `pod_path` are rules of every generated module. */
export function rootScope(): Scope {
  return new Map<string, ScopeEntry>([
    ['object', { expr: OBJECT_EXPR, local: undefined, path: '[]' }],
    ['pod', { expr: 'pod', local: undefined, path: 'pod_path' }],
  ]);
}

export function withVar(scope: Scope, name: string, entry: ScopeEntry): Scope {
  const next = new Map(scope);
  next.set(name, entry);
  return next;
}
