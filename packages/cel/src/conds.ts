import type { Cond, Value } from '@palisade/core';
import { compileItems } from './collections.js';
import { celGlobRegex, globsToRe2 } from './glob.js';
import { celString } from './literal.js';
import { bindBool, isNumber, type Scope, withVar } from './scope.js';
import { compileValue } from './values.js';

/**
 * Conditions compile to CEL bools that never raise an error on any JSON input: every operator that could fail on
 * an unexpected type is guarded by `type()` first (`&&` and `||` absorb errors in CEL, but only when the other side
 * decides, so guards come first and are total).
 */

function both(scope: Scope, [l, r]: readonly [Value, Value], body: (a: string, b: string) => string): string {
  return bindBool(scope, compileValue(scope, l), (a) =>
    bindBool(scope, compileValue(scope, r), (b) => body(a, b)),
  );
}

const comparisons = { lt: '<', le: '<=', gt: '>', ge: '>=' } as const;

/**
 * Two numbers (int and double compare across types in CEL, as in JSON) or two strings (CEL orders them by code
 * point, as docs/ir.md requires); anything else is false. The type tests come first so `&&` never meets the
 * comparison's no-matching-overload error.
 */
function compare(scope: Scope, op: keyof typeof comparisons, operands: readonly [Value, Value]): string {
  return both(
    scope,
    operands,
    (a, b) =>
      `(((${isNumber(a)} && ${isNumber(b)}) || (type(${a}) == string && type(${b}) == string)) && ${a} ${comparisons[op]} ${b})`,
  );
}

/** The left string passes `test` for the right string, or for any string of the right list. */
function stringTest(
  scope: Scope,
  operands: readonly [Value, Value],
  test: (s: string, pattern: string) => string,
): string {
  return both(scope, operands, (s, p) => {
    const q = scope.fresh();
    return (
      `(type(${s}) == string && (type(${p}) == list ? ${p}.exists(${q}, type(${q}) == string && ${test(s, q)})` +
      ` : (type(${p}) == string && ${test(s, p)})))`
    );
  });
}

/** Literal globs (a string or a list of strings) known at compile time, else undefined. */
function literalGlobs(value: Value): string[] | undefined {
  if (!('lit' in value)) return undefined;
  const lit = value.lit;
  if (typeof lit === 'string') return [lit];
  if (Array.isArray(lit)) return lit.filter((p): p is string => typeof p === 'string');
  return undefined;
}

function compileGlob(scope: Scope, operands: readonly [Value, Value]): string {
  const globs = literalGlobs(operands[1]);
  if (globs === undefined) return stringTest(scope, operands, (s, p) => `${s}.matches(${celGlobRegex(p)})`);
  if (globs.length === 0) return 'false';
  const re = celString(globsToRe2(globs));
  return bindBool(
    scope,
    compileValue(scope, operands[0]),
    (s) => `(type(${s}) == string && ${s}.matches(${re}))`,
  );
}

function compileLoop(scope: Scope, cond: Extract<Cond, { some: unknown } | { every: unknown }>): string {
  const isSome = 'some' in cond;
  const loop = isSome ? cond.some : cond.every;
  const items = compileItems(scope, loop.in);
  const x = scope.fresh();
  const where = compileCond(withVar(scope, loop.var, items.bind(x)), loop.where);
  return `${items.range}.${isSome ? 'exists' : 'all'}(${x}, ${where})`;
}

export function compileCond(scope: Scope, cond: Cond): string {
  if ('all' in cond) {
    return cond.all.length === 0 ? 'true' : `(${cond.all.map((c) => compileCond(scope, c)).join(' && ')})`;
  }
  if ('any' in cond) {
    return cond.any.length === 0 ? 'false' : `(${cond.any.map((c) => compileCond(scope, c)).join(' || ')})`;
  }
  if ('not' in cond) return `!${compileCond(scope, cond.not)}`;
  if ('defined' in cond) return `(${compileValue(scope, cond.defined)} != null)`;
  // Heterogeneous equality is false, never an error, in CEL; `1 == 1.0` holds, as in JSON.
  if ('eq' in cond) {
    // Against a defined literal, equality alone already fails on undefined.
    const literal = cond.eq.some((v) => 'lit' in v && v.lit !== null);
    return both(scope, cond.eq, (a, b) => (literal ? `(${a} == ${b})` : `(${a} != null && ${a} == ${b})`));
  }
  if ('lt' in cond) return compare(scope, 'lt', cond.lt);
  if ('le' in cond) return compare(scope, 'le', cond.le);
  if ('gt' in cond) return compare(scope, 'gt', cond.gt);
  if ('ge' in cond) return compare(scope, 'ge', cond.ge);
  if ('in' in cond) {
    return both(scope, cond.in, (a, l) => `(${a} != null && type(${l}) == list && ${a} in ${l})`);
  }
  if ('subset' in cond) {
    return both(scope, cond.subset, (a, b) => {
      const x = scope.fresh();
      return `(${a} == null || (type(${a}) == list && type(${b}) == list && ${a}.all(${x}, ${x} in ${b})))`;
    });
  }
  if ('startsWith' in cond) return stringTest(scope, cond.startsWith, (s, p) => `${s}.startsWith(${p})`);
  if ('glob' in cond) return compileGlob(scope, cond.glob);
  if ('matches' in cond) {
    const re = celString(cond.matches[1]);
    return bindBool(
      scope,
      compileValue(scope, cond.matches[0]),
      (s) => `(type(${s}) == string && ${s}.matches(${re}))`,
    );
  }
  return compileLoop(scope, cond);
}
