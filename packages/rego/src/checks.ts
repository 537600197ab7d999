import type { Check, Message } from '@palisade/core';
import { collectionItems } from './collections.js';
import { asBody, compileCond } from './conds.js';
import { LIB } from './lib.js';
import { regoLiteral, regoString } from './literal.js';
import type { ModuleWriter } from './module.js';
import type { Statement } from './pred.js';
import { type Scope, withVar } from './scope.js';
import { compileValue, type Expr, joinExprs } from './values.js';

export const VIOLATION_HEAD = 'violation contains {"msg": msg, "details": {"path": path}} if';

/** The message as one Rego string: literal text as is, values formatted like the validator formats them. */
function message(parts: Message, scope: Scope): Expr {
  // Adjacent literal parts become one string literal.
  const merged: (string | Exclude<Message[number], string>)[] = [];
  for (const part of parts) {
    const last = merged[merged.length - 1];
    if (typeof part === 'string' && typeof last === 'string') merged[merged.length - 1] = last + part;
    else merged.push(part);
  }
  const exprs: Expr[] = merged.map((part) => {
    if (typeof part === 'string') return { text: regoString(part), vars: new Set<string>() };
    const value = compileValue(part, scope);
    return { text: `${LIB}.fmt(${value.text})`, vars: value.vars };
  });
  const [only] = exprs;
  if (!only) return { text: '""', vars: new Set() };
  if (exprs.length === 1 && typeof merged[0] === 'string') return only;
  return { text: `concat("", [${exprs.map((e) => e.text).join(', ')}])`, vars: joinExprs(exprs) };
}

/**
 * The violation path, as the validator computes it: the anchor variable's place in the resource (else the
 * object's), then the check's dotted field.
 */
function violationPath(check: Check, scope: Scope): string {
  const anchor = check.fieldFrom ?? check.forEach?.at(-1)?.var ?? 'pod';
  const objectPath = scope.get('object')?.path;
  const fallback =
    objectPath === undefined || objectPath === '[]' ? '[]' : `${LIB}.or_else(${objectPath}, [])`;
  const anchorPath = scope.get(anchor)?.path;
  const base =
    anchorPath === undefined || anchorPath === '[]' ? fallback : `${LIB}.or_else(${anchorPath}, ${fallback})`;
  const field = check.field === '' ? [] : check.field.split('.');
  if (base === '[]') return regoLiteral(field);
  return field.length === 0 ? base : `array.concat(${base}, ${regoLiteral(field)})`;
}

interface BoundItem {
  itemVar: string;
  local: string;
  items: Expr;
}

/**
 * One `violation` rule per check: the rule's precondition, the `forEach` bindings (one violation per binding),
 * the deny condition, then the message and path. Returns undefined when the check can never deny.
 */
export function compileCheck(
  check: Check,
  scope: Scope,
  applies: readonly Statement[],
  mod: ModuleWriter,
): string | undefined {
  let inner = scope;
  const bound: BoundItem[] = [];
  for (const binding of check.forEach ?? []) {
    const items = collectionItems(binding.in, inner);
    const itemVar = mod.fresh(`t_${binding.var}`);
    const local = mod.fresh(`v_${binding.var}`);
    bound.push({ itemVar, local, items });
    inner = withVar(inner, binding.var, { expr: local, local, path: `${itemVar}.p` });
  }
  const deny = compileCond(check.deny, inner, mod);
  if ('constant' in deny && !deny.constant) return undefined;
  const denyStatements = 'constant' in deny ? [] : asBody(deny, mod).statements;
  const msg = message(check.message, inner);
  const path = violationPath(check, inner);

  // A binding's value is assigned only when something reads it: strict mode rejects unused assignments.
  const lines: string[] = applies.map((s) => s.text);
  bound.forEach((b, i) => {
    lines.push(`some ${b.itemVar} in ${b.items.text}`);
    const readers = [
      ...denyStatements.map((s) => s.vars),
      msg.vars,
      ...bound.slice(i + 1).map((x) => x.items.vars),
    ];
    if (readers.some((vars) => vars.has(b.local))) lines.push(`${b.local} := ${b.itemVar}.v`);
  });
  lines.push(...denyStatements.map((s) => s.text));
  lines.push(`msg := ${msg.text}`);
  lines.push(`path := ${path}`);
  return `${VIOLATION_HEAD} {\n${lines.map((l) => `  ${l}`).join('\n')}\n}`;
}
