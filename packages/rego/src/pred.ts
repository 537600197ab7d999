/**
 * A compiled condition in disjunctive form: true when any body holds, a body holding when all its statements do.
 * Bodies are kept apart so `any` costs no helper function, and a single negatable statement can take `not`
 * directly; everything else is materialised into a helper function (see module.ts).
 */
export interface Statement {
  text: string;
  /** Rego variables this statement reads that are bound outside it (helper parameters). */
  vars: ReadonlySet<string>;
  /** Whether `not <text>` is valid Rego with the meaning "the statement does not hold". */
  negatable: boolean;
}

export interface Body {
  statements: readonly Statement[];
  vars: ReadonlySet<string>;
}

export type Pred = { constant: boolean } | { bodies: readonly Body[] };

export const TRUE: Pred = { constant: true };
export const FALSE: Pred = { constant: false };

export function union(...sets: ReadonlySet<string>[]): Set<string> {
  const out = new Set<string>();
  for (const s of sets) for (const v of s) out.add(v);
  return out;
}

export function statement(text: string, vars: ReadonlySet<string>, negatable = true): Statement {
  return { text, vars, negatable };
}

export function body(statements: readonly Statement[]): Body {
  return { statements, vars: union(...statements.map((s) => s.vars)) };
}

/** A predicate of one statement. */
export const single = (s: Statement): Pred => ({ bodies: [body([s])] });
