import {
  type Check,
  type Collection,
  type CompilablePolicy,
  type Cond,
  globMatch,
  type Message,
  type Rule,
  type Value,
} from '@palisade/core';
import { formatPath } from './report/run.js';

/**
 * Compiles the rule IR to JavaScript closures once per policy, so evaluating a resource walks no IR at all.
 * This is the reference implementation of the IR semantics documented in docs/ir.md ("Semantics") and in
 * `@palisade/core`'s `ir.ts`. A read that meets a value of the wrong JSON type throws a `TypeMismatchError`, which
 * the engine turns into an `error` result for that resource and policy; the happy path pays no more than a
 * `typeof` per step.
 */

export type Path = readonly (string | number)[];

/** Evaluation state: variable values and, for bound variables, where they sit in the resource. */
export interface Env {
  vars: Record<string, unknown>;
  paths: Record<string, Path | undefined>;
  params: Readonly<Record<string, unknown>>;
  /** Image globs whose containers the `containers` collection skips (image exceptions). */
  exemptImages: readonly string[] | undefined;
}

type ValueFn = (env: Env) => unknown;
type CondFn = (env: Env) => boolean;
interface Item {
  value: unknown;
  path: Path | undefined;
}
type CollectionFn = (env: Env) => Item[];

const hasOwn = Object.hasOwn;

/** JSON types as bits, so "one of these types" is a mask and a check is one `&`. */
export const JSON_TYPE = { boolean: 1, number: 2, string: 4, list: 8, object: 16 } as const;
export type JsonTypeName = keyof typeof JSON_TYPE | 'null';
const { boolean: BOOLEAN, number: NUMBER, string: STRING, list: LIST, object: OBJECT } = JSON_TYPE;

/** The type bit of a defined value (0 for anything JSON has no type for). */
function typeBit(v: unknown): number {
  switch (typeof v) {
    case 'boolean':
      return BOOLEAN;
    case 'number':
      return NUMBER;
    case 'string':
      return STRING;
    case 'object':
      return v === null ? 0 : Array.isArray(v) ? LIST : OBJECT;
    default:
      return 0;
  }
}

export function jsonTypeName(v: unknown): JsonTypeName | 'undefined' {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  const type = typeof v;
  return type === 'boolean' || type === 'number' || type === 'string' || type === 'object'
    ? type
    : 'undefined';
}

const ARTICLE: Record<string, string> = {
  boolean: 'a boolean',
  number: 'a number',
  string: 'a string',
  list: 'a list',
  object: 'an object',
};

/** `a boolean or a string`, for a type mask. */
export function describeTypes(mask: number): string {
  const names = (Object.keys(JSON_TYPE) as (keyof typeof JSON_TYPE)[]).filter((t) => mask & JSON_TYPE[t]);
  return names.map((t) => ARTICLE[t]).join(' or ') || 'nothing';
}

/** How a mismatched value is named: its type, and the value itself when it is a scalar (shortened). */
export function describeFound(v: unknown): string {
  const type = jsonTypeName(v);
  if (type === 'null' || type === 'undefined') return type;
  if (type === 'list' || type === 'object') return ARTICLE[type] as string;
  const text = JSON.stringify(v);
  return `${ARTICLE[type]} (${text.length > 60 ? `${text.slice(0, 57)}...` : text})`;
}

/**
 * A value of the wrong JSON type where the policy reads: an object or a list along a path, a list or object for a
 * collection, or a type the policy's literals and parameters make impossible. `path` is relative to the variable
 * `root` until the code that bound that variable relocates it; once `root` is undefined it is the path from the
 * resource root (or from `label`, for a value that is not in the resource, e.g. a parameter).
 */
export class TypeMismatchError extends Error {
  root: string | undefined;
  path: Path;
  label: string | undefined;
  readonly expected: number;
  readonly found: unknown;

  constructor(root: string | undefined, path: Path, expected: number, found: unknown, label?: string) {
    super('');
    this.name = 'TypeMismatchError';
    this.root = root;
    this.path = path;
    this.label = label;
    this.expected = expected;
    this.found = found;
    this.message = this.describe();
  }

  /** The bound variable `root` sits at `prefix` of variable `root` (or of the resource, or of `label`). */
  relocate(root: string | undefined, prefix: Path, label?: string): void {
    this.root = root;
    this.path = [...prefix, ...this.path];
    if (label !== undefined) this.label = label;
    this.message = this.describe();
  }

  /** Relocates a path relative to a built-in variable (`object`, `pod`) to the resource root. */
  resolve(roots: Readonly<Record<string, Path | undefined>>): void {
    const root = this.root;
    if (root === undefined) return;
    const prefix = roots[root];
    if (prefix === undefined) this.relocate(undefined, [], root);
    else this.relocate(undefined, prefix);
  }

  /** `expected a boolean at spec.containers[0].securityContext.privileged, found a string ("true")` */
  describe(): string {
    const field = formatPath(this.path);
    const at =
      this.label !== undefined
        ? `${this.label}${field === '' || field.startsWith('[') ? '' : '.'}${field}`
        : field;
    const where = at === '' ? (this.root === undefined ? 'the resource root' : this.root) : at;
    return `expected ${describeTypes(this.expected)} at ${where}, found ${describeFound(this.found)}`;
  }
}

/**
 * Reads `path` step by step: a string key on an object gives that own key, a numeric index on a list that
 * element; undefined and null read as undefined for the rest of the path. Any other step (a key on a list, an
 * index on an object, any step into a scalar) is a type mismatch, thrown relative to `rootName`.
 */
function readSteps(root: unknown, path: Path, rootName: string | undefined): unknown {
  let node = root;
  for (let i = 0; i < path.length; i++) {
    if (node === undefined || node === null) return undefined;
    const key = path[i] as string | number;
    if (typeof key === 'string') {
      if (typeof node !== 'object' || Array.isArray(node)) {
        throw new TypeMismatchError(rootName, path.slice(0, i), OBJECT, node);
      }
      if (!hasOwn(node, key)) return undefined;
      node = (node as Record<string, unknown>)[key];
    } else {
      if (!Array.isArray(node)) throw new TypeMismatchError(rootName, path.slice(0, i), LIST, node);
      node = key < node.length ? node[key] : undefined;
    }
  }
  return node === null ? undefined : node;
}

/** Reads a path; missing keys and JSON null read as undefined; a wrongly typed step throws `TypeMismatchError`. */
export function readPath(root: unknown, path: Path): unknown {
  return readSteps(root, path, undefined);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bs = b as unknown[];
    return a.length === bs.length && a.every((x, i) => deepEqual(x, bs[i]));
  }
  const ak = Object.keys(a);
  const bk = Object.keys(b);
  return (
    ak.length === bk.length && ak.every((k) => hasOwn(b, k) && deepEqual((a as never)[k], (b as never)[k]))
  );
}

/** Code-point order (JavaScript's `<` on strings is UTF-16 code-unit order, which differs above U+FFFF). */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (U+D800–U+DFFF) starts a code point above U+FFFF, so it sorts after every unit from U+E000 up.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys && (xs ? y >= 0xe000 : x >= 0xe000)) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

// ---------------------------------------------------------------------------------------------------------------
// Field types: what a policy's literals and parameters say each field it reads must be.

/** The types one field may have: a static mask, plus the types of parameter values (known only at run time). */
interface FieldTypes {
  mask: number;
  /** Parameters whose value (or whose list elements, for `in`) gives a type. */
  params: { name: string; elements: boolean }[];
}

/**
 * The JSON types each field read by a rule must have, keyed by variable and path. A field compared with a literal
 * or parameter of a JSON type (`eq`, comparisons, `in` elements), tested as a string (`startsWith`, `glob`,
 * `matches`) or ranged over (`list`, `entries`, right of `in`/`subset`) must have one of the types so implied,
 * across the whole rule (so a field compared with `0` and matched as a string, like a CPU quantity, may be
 * either). `defined` and messages imply nothing.
 */
export class FieldExpectations {
  readonly #fields = new Map<string, FieldTypes>();

  static ofRule(rule: Rule): FieldExpectations {
    const out = new FieldExpectations();
    if (rule.when) out.#cond(rule.when);
    for (const check of rule.checks) {
      for (const binding of check.forEach ?? []) out.#collection(binding.in);
      out.#cond(check.deny);
    }
    return out;
  }

  static ofCond(cond: Cond): FieldExpectations {
    const out = new FieldExpectations();
    out.#cond(cond);
    return out;
  }

  of(get: string, path: Path): FieldTypes | undefined {
    return this.#fields.get(fieldKey(get, path));
  }

  #add(value: Value, mask: number, param?: { name: string; elements: boolean }): void {
    if ('coalesce' in value) {
      for (const part of value.coalesce) this.#add(part, mask, param);
      return;
    }
    if (!('get' in value)) return;
    const key = fieldKey(value.get, value.path);
    let types = this.#fields.get(key);
    if (!types) {
      types = { mask: 0, params: [] };
      this.#fields.set(key, types);
    }
    types.mask |= mask;
    if (param && !types.params.some((p) => p.name === param.name && p.elements === param.elements)) {
      types.params.push(param);
    }
  }

  /** `a` must have the type of `b` when `b` is a literal or a parameter (elements of `b`, for `in`). */
  #typedBy(a: Value, b: Value, elements: boolean): void {
    if ('lit' in b) {
      const lit = b.lit;
      if (!elements) this.#add(a, typeBit(lit));
      else if (Array.isArray(lit))
        this.#add(
          a,
          lit.reduce<number>((m, x) => m | typeBit(x), 0),
        );
    } else if ('param' in b) {
      this.#add(a, 0, { name: b.param, elements });
    }
  }

  #collection(collection: Collection): void {
    if ('list' in collection) {
      this.#add(collection.list, LIST);
      this.#concatParts(collection.list);
    } else if ('entries' in collection) {
      this.#add(collection.entries, OBJECT);
      this.#concatParts(collection.entries);
    }
  }

  /** The operands of a `concat` are read as strings (else the concatenation would silently be undefined). */
  #concatParts(value: Value): void {
    if ('concat' in value) {
      for (const part of value.concat) {
        this.#add(part, STRING);
        this.#concatParts(part);
      }
    } else if ('coalesce' in value) {
      for (const part of value.coalesce) this.#concatParts(part);
    }
  }

  /** The operands of a condition that is not a combinator or a loop. */
  static #operands(cond: Cond): readonly Value[] {
    if ('defined' in cond) return [cond.defined];
    if ('matches' in cond) return [cond.matches[0]];
    for (const op of ['eq', 'lt', 'le', 'gt', 'ge', 'in', 'subset', 'startsWith', 'glob'] as const) {
      if (op in cond) return (cond as Record<typeof op, readonly [Value, Value]>)[op];
    }
    return [];
  }

  #cond(cond: Cond): void {
    if ('all' in cond || 'any' in cond) {
      for (const c of 'all' in cond ? cond.all : cond.any) this.#cond(c);
      return;
    }
    if ('not' in cond) {
      this.#cond(cond.not);
      return;
    }
    if ('some' in cond || 'every' in cond) {
      const loop = 'some' in cond ? cond.some : cond.every;
      this.#collection(loop.in);
      this.#cond(loop.where);
      return;
    }
    for (const operand of FieldExpectations.#operands(cond)) this.#concatParts(operand);
    if ('in' in cond) {
      const [a, b] = cond.in;
      this.#typedBy(a, b, true);
      this.#add(b, LIST);
    } else if ('subset' in cond) {
      this.#add(cond.subset[0], LIST);
      this.#add(cond.subset[1], LIST);
    } else if ('startsWith' in cond || 'glob' in cond) {
      const [a, b] = 'startsWith' in cond ? cond.startsWith : cond.glob;
      this.#add(a, STRING);
      this.#add(b, STRING | LIST);
    } else if ('matches' in cond) {
      this.#add(cond.matches[0], STRING);
    } else if (!('defined' in cond)) {
      const [a, b] =
        'eq' in cond
          ? cond.eq
          : 'lt' in cond
            ? cond.lt
            : 'le' in cond
              ? cond.le
              : 'gt' in cond
                ? cond.gt
                : cond.ge;
      this.#typedBy(a, b, false);
      this.#typedBy(b, a, false);
    }
  }
}

function fieldKey(get: string, path: Path): string {
  return `${get}\u0000${JSON.stringify(path)}`;
}

/** The types parameter values allow (0 when they say nothing: absent, null, an empty list). */
function paramMask(types: FieldTypes, params: Readonly<Record<string, unknown>>): number {
  let mask = 0;
  for (const { name, elements } of types.params) {
    const v = params[name];
    if (!elements) mask |= typeBit(v);
    else if (Array.isArray(v)) for (const x of v) mask |= typeBit(x);
  }
  return mask;
}

const NO_EXPECTATIONS = new FieldExpectations();

// ---------------------------------------------------------------------------------------------------------------
// Values, collections, conditions.

function compileRead(get: string, path: Path, fallback: unknown, types: FieldTypes | undefined): ValueFn {
  if (types === undefined || (types.mask === 0 && types.params.length === 0)) {
    if (fallback === undefined) return (env) => readSteps(env.vars[get], path, get);
    return (env) => {
      const v = readSteps(env.vars[get], path, get);
      return v === undefined ? fallback : v;
    };
  }
  const mask = types.mask;
  const withParams = types.params.length > 0;
  return (env) => {
    const v = readSteps(env.vars[get], path, get);
    if (v === undefined) return fallback;
    if ((typeBit(v) & mask) === 0) {
      // Parameter types are looked up only when the literal types do not already allow the value.
      const allowed = withParams ? mask | paramMask(types, env.params) : mask;
      if (allowed !== 0 && (typeBit(v) & allowed) === 0) throw new TypeMismatchError(get, path, allowed, v);
    }
    return v;
  };
}

export function compileValue(value: Value, expectations: FieldExpectations = NO_EXPECTATIONS): ValueFn {
  if ('lit' in value) {
    const lit = value.lit === null ? undefined : value.lit;
    return () => lit;
  }
  if ('param' in value) {
    const name = value.param;
    return (env) => {
      const v = env.params[name];
      return v === null ? undefined : v;
    };
  }
  if ('get' in value) {
    const { get, path } = value;
    const fallback = value.default === null ? undefined : value.default;
    return compileRead(get, path, fallback, expectations.of(get, path));
  }
  if ('concat' in value) {
    const parts = value.concat.map((part) => compileValue(part, expectations));
    return (env) => {
      let out = '';
      for (const part of parts) {
        const v = part(env);
        if (typeof v !== 'string') return undefined;
        out += v;
      }
      return out;
    };
  }
  const parts = value.coalesce.map((part) => compileValue(part, expectations));
  return (env) => {
    for (const part of parts) {
      const v = part(env);
      if (v !== undefined) return v;
    }
    return undefined;
  };
}

/** Where a value comes from: a variable and a path, or (for literals, parameters, concatenations) a label. */
interface Location {
  root: string | undefined;
  path: Path;
  label?: string;
}

/** The location of a value (only on the error path: `coalesce` re-reads its operands to find the one used). */
function locate(value: Value, env: Env): Location {
  if ('get' in value) return { root: value.get, path: value.path };
  if ('param' in value) return { root: undefined, path: [], label: `parameter ${value.param}` };
  if ('coalesce' in value) {
    for (const part of value.coalesce) {
      let v: unknown;
      try {
        v = compileValue(part)(env);
      } catch {
        return locate(part, env);
      }
      if (v !== undefined) return locate(part, env);
    }
  }
  return { root: undefined, path: [], label: 'the policy' };
}

function mismatchOf(value: Value, env: Env, expected: number, found: unknown): TypeMismatchError {
  const at = locate(value, env);
  return new TypeMismatchError(at.root, at.path, expected, found, at.label);
}

/** Where a value sits in the resource, when it is a read from a bound variable. */
function valuePath(value: Value, env: Env): Path | undefined {
  if (!('get' in value)) return undefined;
  const base = env.paths[value.get];
  return base === undefined ? undefined : [...base, ...value.path];
}

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/** Whether a container is skipped by an image exception; an image that is not a string cannot be matched. */
function exemptContainer(container: object, exempt: readonly string[], list: string, i: number): boolean {
  const image = (container as { image?: unknown }).image;
  if (typeof image === 'string') return exempt.some((g) => globMatch(image, g));
  if (image === undefined || image === null) return false;
  throw new TypeMismatchError('pod', ['spec', list, i, 'image'], STRING, image);
}

/**
 * Compiles a collection. Item paths are only tracked for `forEach` bindings (`withPaths`), where a violation needs
 * them; loops in conditions skip the allocations.
 */
export function compileCollection(
  collection: Collection,
  withPaths = true,
  expectations: FieldExpectations = NO_EXPECTATIONS,
): CollectionFn {
  if ('containers' in collection) {
    const lists = collection.containers === true ? CONTAINER_LISTS : collection.containers;
    const listPaths = lists.map((list) => ['spec', list] as const);
    return (env) => {
      const items: Item[] = [];
      const pod = env.vars.pod;
      if (pod === undefined) return items;
      const podPath = withPaths ? env.paths.pod : undefined;
      const exempt = env.exemptImages;
      for (let l = 0; l < lists.length; l++) {
        const list = lists[l] as string;
        const containers = readSteps(pod, listPaths[l] as Path, 'pod');
        if (containers === undefined) continue;
        if (!Array.isArray(containers)) throw new TypeMismatchError('pod', ['spec', list], LIST, containers);
        for (let i = 0; i < containers.length; i++) {
          const container: unknown = containers[i];
          if (container === null || typeof container !== 'object' || Array.isArray(container)) {
            throw new TypeMismatchError('pod', ['spec', list, i], OBJECT, container);
          }
          if (exempt && exemptContainer(container, exempt, list, i)) continue;
          items.push({ value: container, path: podPath && [...podPath, 'spec', list, i] });
        }
      }
      return items;
    };
  }
  if ('list' in collection) {
    const source = collection.list;
    const read = compileValue(source, expectations);
    return (env) => {
      const list = read(env);
      if (list === undefined) return [];
      if (!Array.isArray(list)) throw mismatchOf(source, env, LIST, list);
      const base = withPaths ? valuePath(source, env) : undefined;
      return list.map((value, i) => ({
        value: value === null ? undefined : value,
        path: base && [...base, i],
      }));
    };
  }
  const source = collection.entries;
  const read = compileValue(source, expectations);
  return (env) => {
    const map = read(env);
    if (map === undefined) return [];
    if (map === null || typeof map !== 'object' || Array.isArray(map))
      throw mismatchOf(source, env, OBJECT, map);
    const base = withPaths ? valuePath(source, env) : undefined;
    return Object.entries(map).map(([key, value]) => ({
      value: { key, value: value === null ? undefined : value },
      path: base && [...base, key],
    }));
  };
}

/**
 * Relocates a mismatch met under the `k`-th item of a collection bound to a variable, from that variable to where
 * the item came from (the error path only, so it recomputes rather than tracking locations while evaluating).
 */
function relocateToItem(
  error: TypeMismatchError,
  collection: Collection,
  env: Env,
  k: number,
  item: Item | undefined,
): void {
  if ('containers' in collection) {
    const lists = collection.containers === true ? CONTAINER_LISTS : collection.containers;
    for (const list of lists) {
      const containers = readSteps(env.vars.pod, ['spec', list], 'pod');
      const i = Array.isArray(containers) ? containers.indexOf(item?.value) : -1;
      if (i >= 0) {
        error.relocate('pod', ['spec', list, i]);
        return;
      }
    }
    error.relocate('pod', ['spec', `<container ${k}>`]);
    return;
  }
  if ('list' in collection) {
    const at = locate(collection.list, env);
    error.relocate(at.root, [...at.path, k], at.label);
    return;
  }
  // An entry is `{key, value}`: `value.x` of the entry is `x` of the map's value at `key`.
  const at = locate(collection.entries, env);
  const key = (item?.value as { key?: string } | undefined)?.key ?? `<entry ${k}>`;
  const first = error.path[0];
  if (first === 'value' || first === 'key') error.path = error.path.slice(1);
  error.relocate(at.root, [...at.path, key], at.label);
}

function asList(v: unknown): unknown[] | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v : [v];
}

function compare(
  op: 'lt' | 'le' | 'gt' | 'ge',
  [l, r]: readonly [Value, Value],
  expectations: FieldExpectations,
): CondFn {
  const left = compileValue(l, expectations);
  const right = compileValue(r, expectations);
  const holds =
    op === 'lt'
      ? (c: number) => c < 0
      : op === 'le'
        ? (c: number) => c <= 0
        : op === 'gt'
          ? (c: number) => c > 0
          : (c: number) => c >= 0;
  return (env) => {
    const a = left(env);
    const b = right(env);
    if (typeof a === 'number' && typeof b === 'number') return holds(a < b ? -1 : a > b ? 1 : 0);
    if (typeof a === 'string' && typeof b === 'string') return holds(compareStrings(a, b));
    return false;
  };
}

/** String test against one pattern or any of a list of patterns. */
function stringTest(
  [l, r]: readonly [Value, Value],
  test: (s: string, pattern: string) => boolean,
  expectations: FieldExpectations,
): CondFn {
  const left = compileValue(l, expectations);
  const right = compileValue(r, expectations);
  return (env) => {
    const s = left(env);
    const patterns = asList(right(env));
    if (typeof s !== 'string' || patterns === undefined) return false;
    return patterns.some((p) => typeof p === 'string' && test(s, p));
  };
}

/**
 * Compiles a condition. `expectations` are the field types of the enclosing rule (by default, what this condition
 * alone implies).
 */
export function compileCond(
  cond: Cond,
  expectations: FieldExpectations = FieldExpectations.ofCond(cond),
): CondFn {
  if ('all' in cond) {
    const parts = cond.all.map((c) => compileCond(c, expectations));
    return (env) => parts.every((p) => p(env));
  }
  if ('any' in cond) {
    const parts = cond.any.map((c) => compileCond(c, expectations));
    return (env) => parts.some((p) => p(env));
  }
  if ('not' in cond) {
    const inner = compileCond(cond.not, expectations);
    return (env) => !inner(env);
  }
  if ('defined' in cond) {
    const v = compileValue(cond.defined, expectations);
    return (env) => v(env) !== undefined;
  }
  if ('eq' in cond) {
    const left = compileValue(cond.eq[0], expectations);
    const right = compileValue(cond.eq[1], expectations);
    return (env) => {
      const a = left(env);
      const b = right(env);
      return a !== undefined && b !== undefined && deepEqual(a, b);
    };
  }
  if ('lt' in cond) return compare('lt', cond.lt, expectations);
  if ('le' in cond) return compare('le', cond.le, expectations);
  if ('gt' in cond) return compare('gt', cond.gt, expectations);
  if ('ge' in cond) return compare('ge', cond.ge, expectations);
  if ('in' in cond) {
    const left = compileValue(cond.in[0], expectations);
    const right = compileValue(cond.in[1], expectations);
    return (env) => {
      const a = left(env);
      const list = right(env);
      if (a === undefined || !Array.isArray(list)) return false;
      return list.some((x) => deepEqual(a, x));
    };
  }
  if ('subset' in cond) {
    const left = compileValue(cond.subset[0], expectations);
    const right = compileValue(cond.subset[1], expectations);
    return (env) => {
      const a = left(env);
      if (a === undefined) return true;
      const b = right(env);
      if (!Array.isArray(a) || !Array.isArray(b)) return false;
      return a.every((x) => b.some((y) => deepEqual(x, y)));
    };
  }
  if ('startsWith' in cond) return stringTest(cond.startsWith, (s, p) => s.startsWith(p), expectations);
  if ('glob' in cond) return stringTest(cond.glob, globMatch, expectations);
  if ('matches' in cond) {
    const left = compileValue(cond.matches[0], expectations);
    const re = new RegExp(cond.matches[1], 'u');
    return (env) => {
      const s = left(env);
      return typeof s === 'string' && re.test(s);
    };
  }
  const isSome = 'some' in cond;
  const loop = isSome ? cond.some : cond.every;
  const collection = loop.in;
  const items = compileCollection(collection, false, expectations);
  const where = compileCond(loop.where, expectations);
  const name = loop.var;
  return (env) => {
    const saved = env.vars[name];
    const list = items(env);
    let k = 0;
    try {
      for (; k < list.length; k++) {
        env.vars[name] = (list[k] as Item).value;
        if (where(env) === isSome) return isSome;
      }
      return !isSome;
    } catch (error) {
      if (error instanceof TypeMismatchError && error.root === name) {
        relocateToItem(error, collection, env, k, list[k]);
      }
      throw error;
    } finally {
      env.vars[name] = saved;
    }
  };
}

/**
 * How a message prints a value: undefined as `<unset>`, a string as itself, a list as its elements joined by
 * ", ", anything else (number, boolean, object, null inside a list) as JSON.
 */
export function formatValue(v: unknown): string {
  if (v === undefined) return '<unset>';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(formatValue).join(', ');
  return JSON.stringify(v);
}

export function compileMessage(
  message: Message,
  expectations: FieldExpectations = NO_EXPECTATIONS,
): (env: Env) => string {
  const parts = message.map((part) =>
    typeof part === 'string' ? () => part : compileValue(part, expectations),
  );
  return (env) => parts.map((p) => (typeof p === 'function' ? formatValue(p(env)) : p)).join('');
}

export interface Violation {
  message: string;
  /** JSON path of the offending field from the resource root. */
  path: Path;
}

function compileCheck(check: Check, expectations: FieldExpectations): (env: Env, out: Violation[]) => void {
  const deny = compileCond(check.deny, expectations);
  const message = compileMessage(check.message, expectations);
  const field = check.field === '' ? [] : check.field.split('.');
  const bindings = (check.forEach ?? []).map((b) => ({
    name: b.var,
    collection: b.in,
    items: compileCollection(b.in, true, expectations),
  }));
  const anchor = check.fieldFrom ?? bindings.at(-1)?.name ?? 'pod';
  const report = (env: Env, out: Violation[]) => {
    if (!deny(env)) return;
    const base = env.paths[anchor] ?? env.paths.object ?? [];
    out.push({ message: message(env), path: [...base, ...field] });
  };
  const run = (env: Env, out: Violation[], depth: number): void => {
    const binding = bindings[depth];
    if (!binding) {
      report(env, out);
      return;
    }
    const items = binding.items(env);
    for (let k = 0; k < items.length; k++) {
      const item = items[k] as Item;
      env.vars[binding.name] = item.value;
      env.paths[binding.name] = item.path;
      try {
        run(env, out, depth + 1);
      } catch (error) {
        if (error instanceof TypeMismatchError && error.root === binding.name) {
          relocateToItem(error, binding.collection, env, k, item);
        }
        throw error;
      }
    }
    // Unset rather than deleted: reads see undefined either way, and `delete` would turn the objects into slow
    // dictionaries for the rest of the evaluation.
    env.vars[binding.name] = undefined;
    env.paths[binding.name] = undefined;
  };
  return (env, out) => run(env, out, 0);
}

export interface CompiledRule {
  /** False when the precondition does not hold. Throws `TypeMismatchError`. */
  applies: CondFn;
  /** The violations. Throws `TypeMismatchError`. */
  evaluate: (env: Env) => Violation[];
}

/** Compiles a policy's rule (the same `(policy, options)` shape as compileCel and compilePolicyRego). */
export function compileRule(policy: Pick<CompilablePolicy, 'rule'>): CompiledRule {
  const { rule } = policy;
  const expectations = FieldExpectations.ofRule(rule);
  const when = rule.when ? compileCond(rule.when, expectations) : () => true;
  const checks = rule.checks.map((check) => compileCheck(check, expectations));
  return {
    applies: when,
    evaluate: (env) => {
      const out: Violation[] = [];
      for (const check of checks) check(env, out);
      return out;
    },
  };
}
