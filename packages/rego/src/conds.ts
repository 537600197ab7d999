import type { Cond, Loop, Value } from '@palisade/core';
import { collectionValues } from './collections.js';
import { LIB } from './lib.js';
import { regoString } from './literal.js';
import type { ModuleWriter } from './module.js';
import { type Body, FALSE, type Pred, type Statement, single, statement, TRUE, union } from './pred.js';
import { type Scope, withVar } from './scope.js';
import { compileValue, type Expr, joinExprs } from './values.js';

const call = (fn: string, args: readonly Expr[]): Statement =>
  statement(`${LIB}.${fn}(${args.map((a) => a.text).join(', ')})`, joinExprs(args));

const binary = (fn: string, [l, r]: readonly [Value, Value], scope: Scope): Pred =>
  single(call(fn, [compileValue(l, scope), compileValue(r, scope)]));

/** The single statement that holds exactly when `pred` does (a helper call unless it already is one). */
export function asStatement(pred: Pred & { bodies: readonly Body[] }, mod: ModuleWriter): Statement {
  const [first, ...rest] = pred.bodies;
  if (first && rest.length === 0 && first.statements.length === 1) return first.statements[0] as Statement;
  return mod.helper(pred.bodies);
}

/** The statements of a conjunction: `pred` inline when it has one body, else a call to a helper. */
export function asBody(pred: Pred & { bodies: readonly Body[] }, mod: ModuleWriter): Body {
  const [first, ...rest] = pred.bodies;
  if (first && rest.length === 0) return first;
  const s = mod.helper(pred.bodies);
  return { statements: [s], vars: s.vars };
}

function all(conds: readonly Cond[], scope: Scope, mod: ModuleWriter): Pred {
  const statements: Statement[] = [];
  const vars: Set<string>[] = [];
  for (const cond of conds) {
    const pred = compileCond(cond, scope, mod);
    if ('constant' in pred) {
      if (!pred.constant) return FALSE;
      continue;
    }
    const b = asBody(pred, mod);
    statements.push(...b.statements);
    vars.push(new Set(b.vars));
  }
  if (statements.length === 0) return TRUE;
  return { bodies: [{ statements, vars: union(...vars) }] };
}

function any(conds: readonly Cond[], scope: Scope, mod: ModuleWriter): Pred {
  const bodies: Body[] = [];
  for (const cond of conds) {
    const pred = compileCond(cond, scope, mod);
    if ('constant' in pred) {
      if (pred.constant) return TRUE;
      continue;
    }
    bodies.push(...pred.bodies);
  }
  return bodies.length === 0 ? FALSE : { bodies };
}

function not(cond: Cond, scope: Scope, mod: ModuleWriter): Pred {
  const inner = compileCond(cond, scope, mod);
  if ('constant' in inner) return { constant: !inner.constant };
  let s = asStatement(inner, mod);
  if (!s.negatable) s = mod.helper(inner.bodies);
  return single(statement(`not ${s.text}`, s.vars, false));
}

/**
 * `some` / `every`: the loop variable gets its own Rego name; the condition is inlined when it is one conjunction,
 * else it becomes a helper taking the loop variable.
 */
function loop(kind: 'some' | 'every', l: Loop, scope: Scope, mod: ModuleWriter): Pred {
  const items = collectionValues(l.in, scope);
  const local = mod.fresh(`v_${l.var}`);
  const where = compileCond(l.where, withVar(scope, l.var, { expr: local, local, path: undefined }), mod);
  if ('constant' in where) {
    if (where.constant === (kind === 'some')) {
      // some x: true  → the collection is non-empty; every x: false → it is empty.
      return single(statement(`count(${items.text}) ${kind === 'some' ? '>' : '=='} 0`, items.vars));
    }
    return kind === 'some' ? FALSE : TRUE;
  }
  const b = asBody(where, mod);
  const bound = b.vars.has(local) ? local : '_';
  const vars = union(items.vars, new Set([...b.vars].filter((v) => v !== local)));
  if (kind === 'some') {
    const head = statement(`some ${bound} in ${items.text}`, items.vars, false);
    return { bodies: [{ statements: [head, ...b.statements], vars }] };
  }
  const inner = b.statements.map((s) => s.text).join('; ');
  return single(statement(`every ${bound} in ${items.text} { ${inner} }`, vars, false));
}

export function compileCond(cond: Cond, scope: Scope, mod: ModuleWriter): Pred {
  if ('all' in cond) return all(cond.all, scope, mod);
  if ('any' in cond) return any(cond.any, scope, mod);
  if ('not' in cond) return not(cond.not, scope, mod);
  if ('defined' in cond) return single(call('is_defined', [compileValue(cond.defined, scope)]));
  if ('eq' in cond) return binary('is_eq', cond.eq, scope);
  if ('lt' in cond) return binary('is_lt', cond.lt, scope);
  if ('le' in cond) return binary('is_le', cond.le, scope);
  if ('gt' in cond) return binary('is_gt', cond.gt, scope);
  if ('ge' in cond) return binary('is_ge', cond.ge, scope);
  if ('in' in cond) return binary('is_member', cond.in, scope);
  if ('subset' in cond) return binary('is_subset', cond.subset, scope);
  if ('startsWith' in cond) return binary('starts_with', cond.startsWith, scope);
  if ('glob' in cond) return binary('glob_any', cond.glob, scope);
  if ('matches' in cond) {
    // The pattern is part of the policy (IR), not a parameter, so it may be a literal of the module.
    const v = compileValue(cond.matches[0], scope);
    return single(statement(`${LIB}.matches(${v.text}, ${regoString(cond.matches[1])})`, v.vars));
  }
  if ('some' in cond) return loop('some', cond.some, scope, mod);
  return loop('every', cond.every, scope, mod);
}
