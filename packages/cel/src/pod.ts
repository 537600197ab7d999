import { isPodKind, type Match, POD_TEMPLATE_PATHS } from '@palisade/core';
import { celString } from './literal.js';
import { readPath } from './values.js';

/**
 * The `pod` variable: the object itself for a Pod, its pod template for a controller (core's POD_TEMPLATE_PATHS),
 * chosen by `object.kind` at evaluation time, so one expression serves every kind a policy matches. It is null
 * (undefined) for other kinds, and for every kind when the policy matches no Pod kind (core's `appliesAsPod`).
 * A template that is not a map reads as null: the reference reads nothing from it either.
 */
export function podExpression(object: string, match: Match): string {
  if (!match.kinds.some(isPodKind)) return 'dyn(null)';
  const kind = readPath(object, true, ['kind']);
  const byPath = new Map<string, { path: readonly string[]; kinds: string[] }>();
  for (const [k, path] of Object.entries(POD_TEMPLATE_PATHS)) {
    const group = byPath.get(path.join('.')) ?? { path, kinds: [] };
    group.kinds.push(k);
    byPath.set(path.join('.'), group);
  }
  let expr = 'dyn(null)';
  for (const { path, kinds } of [...byPath.values()].reverse()) {
    const test =
      kinds.length === 1
        ? `${kind} == ${celString(kinds[0] as string)}`
        : `${kind} in [${kinds.map(celString).join(', ')}]`;
    expr = `${test} ? ${readPath(object, true, path, { type: 'map', orElse: 'dyn(null)' })} : ${expr}`;
  }
  return expr;
}
