import { type Body, type Statement, statement } from './pred.js';

/**
 * Collects the helper rules and functions of one generated module. Rego's `not` takes a single expression, so a
 * condition that needs several statements (or several alternative bodies) becomes a helper: a rule when it reads
 * no local variable, otherwise a function whose parameters are exactly the locals it reads (strict mode rejects
 * unused arguments; a body that does not read one names it `_`).
 */
export class ModuleWriter {
  #next = 0;
  readonly #helpers: string[] = [];
  readonly #memo = new Map<string, Statement>();

  /** A fresh Rego variable name; IR names are kept as a readable prefix. */
  fresh(prefix: string): string {
    this.#next += 1;
    return `${prefix}_${this.#next}`;
  }

  /** Defines a helper holding when any body holds; returns the statement that calls it. */
  helper(bodies: readonly Body[]): Statement {
    const params = [...new Set(bodies.flatMap((b) => [...b.vars]))].sort();
    const key = JSON.stringify([params, bodies.map((b) => b.statements.map((s) => s.text))]);
    const known = this.#memo.get(key);
    if (known) return known;
    const name = this.fresh('cond');
    for (const b of bodies) {
      const head =
        params.length === 0 ? name : `${name}(${params.map((p) => (b.vars.has(p) ? p : '_')).join(', ')})`;
      const lines = b.statements.length === 0 ? ['true'] : b.statements.map((s) => s.text);
      this.#helpers.push(`${head} if {\n${lines.map((l) => `  ${l}`).join('\n')}\n}`);
    }
    const call =
      params.length === 0
        ? statement(name, new Set())
        : statement(`${name}(${params.join(', ')})`, new Set(params));
    this.#memo.set(key, call);
    return call;
  }

  get helpers(): readonly string[] {
    return this.#helpers;
  }
}
