import {
  type Check,
  type Collection,
  type Cond,
  globMatch,
  type Message,
  type Rule,
  type Value,
} from '@palisade/core';

/**
 * Compiles the rule IR to JavaScript closures once per policy, so evaluating a resource walks no IR at all.
 * This is the reference implementation of the IR semantics documented in `@palisade/core`'s `ir.ts`.
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

/** Reads a path; missing keys, non-objects and JSON null all read as undefined. */
export function readPath(root: unknown, path: Path): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    if (!hasOwn(node, key)) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node === null ? undefined : node;
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

export function compileValue(value: Value): ValueFn {
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
    if (fallback === undefined) return (env) => readPath(env.vars[get], path);
    return (env) => {
      const v = readPath(env.vars[get], path);
      return v === undefined ? fallback : v;
    };
  }
  if ('concat' in value) {
    const parts = value.concat.map(compileValue);
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
  const parts = value.coalesce.map(compileValue);
  return (env) => {
    for (const part of parts) {
      const v = part(env);
      if (v !== undefined) return v;
    }
    return undefined;
  };
}

/** Where a value sits in the resource, when it is a read from a bound variable. */
function valuePath(value: Value, env: Env): Path | undefined {
  if (!('get' in value)) return undefined;
  const base = env.paths[value.get];
  return base === undefined ? undefined : [...base, ...value.path];
}

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/**
 * Compiles a collection. Item paths are only tracked for `forEach` bindings (`withPaths`), where a violation needs
 * them; loops in conditions skip the allocations.
 */
export function compileCollection(collection: Collection, withPaths = true): CollectionFn {
  if ('containers' in collection) {
    const lists = collection.containers === true ? CONTAINER_LISTS : collection.containers;
    return (env) => {
      const items: Item[] = [];
      const podPath = withPaths ? env.paths.pod : undefined;
      for (const list of lists) {
        const containers = readPath(env.vars.pod, ['spec', list]);
        if (!Array.isArray(containers)) continue;
        containers.forEach((container, i) => {
          if (container === null || typeof container !== 'object') return;
          const exempt = env.exemptImages;
          if (exempt) {
            const image = (container as { image?: unknown }).image;
            if (typeof image === 'string' && exempt.some((g) => globMatch(image, g))) return;
          }
          items.push({ value: container, path: podPath && [...podPath, 'spec', list, i] });
        });
      }
      return items;
    };
  }
  if ('list' in collection) {
    const source = collection.list;
    const read = compileValue(source);
    return (env) => {
      const list = read(env);
      if (!Array.isArray(list)) return [];
      const base = withPaths ? valuePath(source, env) : undefined;
      return list.map((value, i) => ({
        value: value === null ? undefined : value,
        path: base && [...base, i],
      }));
    };
  }
  const source = collection.entries;
  const read = compileValue(source);
  return (env) => {
    const map = read(env);
    if (map === null || typeof map !== 'object' || Array.isArray(map)) return [];
    const base = withPaths ? valuePath(source, env) : undefined;
    return Object.entries(map).map(([key, value]) => ({
      value: { key, value: value === null ? undefined : value },
      path: base && [...base, key],
    }));
  };
}

function asList(v: unknown): unknown[] | undefined {
  if (v === undefined) return undefined;
  return Array.isArray(v) ? v : [v];
}

function compare(op: 'lt' | 'le' | 'gt' | 'ge', [l, r]: readonly [Value, Value]): CondFn {
  const left = compileValue(l);
  const right = compileValue(r);
  return (env) => {
    const a = left(env);
    const b = right(env);
    if (typeof a !== 'number' || typeof b !== 'number') return false;
    switch (op) {
      case 'lt':
        return a < b;
      case 'le':
        return a <= b;
      case 'gt':
        return a > b;
      case 'ge':
        return a >= b;
    }
  };
}

/** String test against one pattern or any of a list of patterns. */
function stringTest([l, r]: readonly [Value, Value], test: (s: string, pattern: string) => boolean): CondFn {
  const left = compileValue(l);
  const right = compileValue(r);
  return (env) => {
    const s = left(env);
    const patterns = asList(right(env));
    if (typeof s !== 'string' || patterns === undefined) return false;
    return patterns.some((p) => typeof p === 'string' && test(s, p));
  };
}

export function compileCond(cond: Cond): CondFn {
  if ('all' in cond) {
    const parts = cond.all.map(compileCond);
    return (env) => parts.every((p) => p(env));
  }
  if ('any' in cond) {
    const parts = cond.any.map(compileCond);
    return (env) => parts.some((p) => p(env));
  }
  if ('not' in cond) {
    const inner = compileCond(cond.not);
    return (env) => !inner(env);
  }
  if ('defined' in cond) {
    const v = compileValue(cond.defined);
    return (env) => v(env) !== undefined;
  }
  if ('eq' in cond) {
    const left = compileValue(cond.eq[0]);
    const right = compileValue(cond.eq[1]);
    return (env) => {
      const a = left(env);
      const b = right(env);
      return a !== undefined && b !== undefined && deepEqual(a, b);
    };
  }
  if ('lt' in cond) return compare('lt', cond.lt);
  if ('le' in cond) return compare('le', cond.le);
  if ('gt' in cond) return compare('gt', cond.gt);
  if ('ge' in cond) return compare('ge', cond.ge);
  if ('in' in cond) {
    const left = compileValue(cond.in[0]);
    const right = compileValue(cond.in[1]);
    return (env) => {
      const a = left(env);
      const list = right(env);
      if (a === undefined || !Array.isArray(list)) return false;
      return list.some((x) => deepEqual(a, x));
    };
  }
  if ('subset' in cond) {
    const left = compileValue(cond.subset[0]);
    const right = compileValue(cond.subset[1]);
    return (env) => {
      const a = left(env);
      if (a === undefined) return true;
      const b = right(env);
      if (!Array.isArray(a) || !Array.isArray(b)) return false;
      return a.every((x) => b.some((y) => deepEqual(x, y)));
    };
  }
  if ('startsWith' in cond) return stringTest(cond.startsWith, (s, p) => s.startsWith(p));
  if ('glob' in cond) return stringTest(cond.glob, globMatch);
  if ('matches' in cond) {
    const left = compileValue(cond.matches[0]);
    const re = new RegExp(cond.matches[1], 'u');
    return (env) => {
      const s = left(env);
      return typeof s === 'string' && re.test(s);
    };
  }
  const isSome = 'some' in cond;
  const loop = isSome ? cond.some : cond.every;
  const items = compileCollection(loop.in, false);
  const where = compileCond(loop.where);
  const name = loop.var;
  return (env) => {
    const saved = env.vars[name];
    try {
      for (const item of items(env)) {
        env.vars[name] = item.value;
        if (where(env) === isSome) return isSome;
      }
      return !isSome;
    } finally {
      env.vars[name] = saved;
    }
  };
}

function formatValue(v: unknown): string {
  if (v === undefined) return '<unset>';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(formatValue).join(', ');
  return JSON.stringify(v);
}

export function compileMessage(message: Message): (env: Env) => string {
  const parts = message.map((part) => (typeof part === 'string' ? () => part : compileValue(part)));
  return (env) => parts.map((p) => (typeof p === 'function' ? formatValue(p(env)) : p)).join('');
}

export interface Violation {
  message: string;
  /** JSON path of the offending field from the resource root. */
  path: Path;
}

function compileCheck(check: Check): (env: Env, out: Violation[]) => void {
  const deny = compileCond(check.deny);
  const message = compileMessage(check.message);
  const field = check.field === '' ? [] : check.field.split('.');
  const bindings = (check.forEach ?? []).map((b) => ({ name: b.var, items: compileCollection(b.in) }));
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
    for (const item of binding.items(env)) {
      env.vars[binding.name] = item.value;
      env.paths[binding.name] = item.path;
      run(env, out, depth + 1);
    }
    // Unset rather than deleted: reads see undefined either way, and `delete` would turn the objects into slow
    // dictionaries for the rest of the evaluation.
    env.vars[binding.name] = undefined;
    env.paths[binding.name] = undefined;
  };
  return (env, out) => run(env, out, 0);
}

export interface CompiledRule {
  /** False when the precondition does not hold. */
  applies: CondFn;
  evaluate: (env: Env) => Violation[];
}

export function compileRule(rule: Rule): CompiledRule {
  const when = rule.when ? compileCond(rule.when) : () => true;
  const checks = rule.checks.map(compileCheck);
  return {
    applies: when,
    evaluate: (env) => {
      const out: Violation[] = [];
      for (const check of checks) check(env, out);
      return out;
    },
  };
}
