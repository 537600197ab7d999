import type { Value } from '@palisade/core';
import { celLiteral, celNumber, celString } from './literal.js';
import type { Scope, VarRef } from './scope.js';

/**
 * Values compile to flat CEL expressions (no comprehension) of type dyn whose result is the JSON value, or `null`
 * for undefined (missing and JSON null read the same in the IR, so CEL null stands for both).
 */

/** `.?key` for a map key, `[?index]` for a list index. */
function accessor(key: string | number): string {
  if (typeof key === 'number') return `[?${celNumber(key)}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && !RESERVED.has(key) ? `.?${key}` : `[?${celString(key)}]`;
}

/** CEL reserved words cannot follow `.?`; they are read with `[?"key"]` instead. */
const RESERVED = new Set([
  'as',
  'break',
  'const',
  'continue',
  'else',
  'false',
  'for',
  'function',
  'if',
  'import',
  'in',
  'let',
  'loop',
  'package',
  'namespace',
  'null',
  'return',
  'true',
  'var',
  'void',
  'while',
]);

/**
 * Reads `path` from `root` as an optional chain. Optional selection yields none on a missing key and on a
 * string, number, bool or null, but raises an error on a list, so every prefix followed by a string key that
 * might be a list is guarded (`rootIsMap` says the root itself is a map or null). With `want`, a value of another
 * type reads as `orElse` (e.g. a list or `[]`), folded into the same guard.
 */
export function readPath(
  root: string,
  rootIsMap: boolean,
  path: readonly (string | number)[],
  want?: { type: 'list' | 'map'; orElse: string },
): string {
  const guards: string[] = [];
  let chain = root;
  path.forEach((key, i) => {
    if (typeof key === 'string' && (i > 0 || !rootIsMap)) {
      guards.push(`type(${i === 0 ? root : `${chain}.orValue(null)`}) != list`);
    }
    chain += accessor(key);
  });
  // dyn: the checker may type an optional chain's `orValue(null)` as null, and a ternary joining null with a
  // list (`... ? read : []`) then fails to compile.
  const read = path.length === 0 ? root : `dyn(${chain}.orValue(null))`;
  if (want) guards.push(`type(${read}) == ${want.type}`);
  if (guards.length === 0) return read;
  return `(${guards.join(' && ')} ? ${read} : ${want?.orElse ?? 'null'})`;
}

function variable(scope: Scope, name: string): VarRef {
  const ref = scope.vars.get(name);
  if (ref === undefined) throw new Error(`the rule reads variable "${name}", which is not in scope`);
  return ref;
}

function readVar(ref: VarRef, path: readonly (string | number)[]): string {
  if ('expr' in ref) return readPath(ref.expr, ref.map, path);
  const { map, key } = ref.entry;
  const [first, ...rest] = path;
  if (first === undefined) return `dyn({"key": dyn(${key}), "value": dyn(${map}[${key}])})`;
  if (first === 'key') return rest.length === 0 ? `dyn(${key})` : 'dyn(null)';
  if (first === 'value') return readPath(`${map}[${key}]`, false, rest);
  return 'dyn(null)';
}

/** How an undefined value compiles (missing and JSON null read the same). */
const UNDEFINED = 'dyn(null)';

export function compileValue(scope: Scope, value: Value): string {
  if ('lit' in value) return value.lit === null ? 'dyn(null)' : `dyn(${celLiteral(value.lit)})`;
  if ('param' in value) {
    return `(type(${scope.params}) == map ? dyn(${scope.params}${accessor(value.param)}.orValue(null)) : dyn(null))`;
  }
  if ('get' in value) {
    const read = readVar(variable(scope, value.get), value.path);
    if (value.default === undefined || value.default === null) return read;
    return `(${read} == null ? dyn(${celLiteral(value.default)}) : ${read})`;
  }
  if ('coalesce' in value) {
    return value.coalesce
      .map((part) => compileValue(scope, part))
      .reduceRight((rest, part) => `(${part} != null ? ${part} : ${rest})`, 'dyn(null)');
  }
  // Constant operands are decided now: a literal that is not a string, or a value known to be undefined (`dyn(null)`,
  // e.g. a read of an entry's index), makes the whole concat undefined, and a literal string needs no test. CEL
  // evaluates a conversion of a constant when the program is built, so `string(dyn(null))`, even in a branch never
  // taken, fails the whole expression ("no such overload: string(null_type)").
  const parts = value.concat.map((part) =>
    'lit' in part
      ? { text: typeof part.lit === 'string' ? celString(part.lit) : UNDEFINED, literal: true }
      : { text: compileValue(scope, part), literal: false },
  );
  if (parts.some((p) => p.text === UNDEFINED)) return UNDEFINED;
  const tests = parts.filter((p) => !p.literal).map((p) => `type(${p.text}) == string`);
  const joined = parts.map((p) => (p.literal ? p.text : `string(${p.text})`)).join(' + ');
  return tests.length === 0 ? `dyn(${joined})` : `(${tests.join(' && ')} ? dyn(${joined}) : dyn(null))`;
}
