import {
  type Collection,
  type Cond,
  globMatch,
  isPodKind,
  POD_TEMPLATE_PATHS,
  type Rule,
  type Value,
} from '@palisade/core';
import { type PolicyResult, Validator } from '@palisade/validator';
import { type IrCase, irExceptions, irPolicyConfig } from './random-ir.js';

/**
 * The reference side of every random-IR differential: the validator's result for each (rule, resource), or why the
 * pair is not compared.
 *
 * docs/ir.md (the lead's IR-DESIGN decisions) makes a read of the wrong JSON type a TYPE MISMATCH: a string key on
 * a list (`length`), a numeric index on an object, any step into a string, number or boolean, `list` over a
 * non-list, `entries` over a non-object, a container list that is not a list or a container that is not an
 * object. The validator reports such a pair as an `error`; generated engine policies treat the read as undefined
 * and only promise not to fail (a real API server never admits such a built-in object). So engines and validator
 * are compared on the pairs with no mismatch; the others are counted, and the engines must still not error on
 * them.
 *
 * `walkRule` finds mismatches itself (rather than trusting the validator to report them), evaluating every branch
 * of the rule without short-circuit: it finds every mismatch any evaluation order could meet, so exclusion does not
 * depend on the order the validator evaluates in, nor on whether it reports mismatches yet.
 */

export type Path = readonly (string | number)[];

export interface Walk {
  /** The first type mismatch met, described (undefined when every read is well-typed). */
  mismatch: string | undefined;
  /** A comparison (`lt`, `le`, `gt`, `ge`) saw two strings. */
  stringComparison: boolean;
  /**
   * A message may print a value that CEL prints another way than the validator: an object or a list inside a list
   * (CEL prints `{...}` and `[...]`), or a number CEL formats with an exponent where JavaScript does not.
   */
  celMessageDiffers: boolean;
  /** A check's message may print as blank text (which Kubernetes replaces by the static message). */
  emptyMessage: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function jsonType(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

const absent = (v: unknown): v is null | undefined => v === null || v === undefined;

/** Numbers CEL's `string()` prints as JavaScript does: int64s, and doubles printed without an exponent by both. */
function celPrintsLikeJs(n: number): boolean {
  if (Number.isSafeInteger(n)) return true;
  const abs = Math.abs(n);
  return !Number.isInteger(n) && abs >= 1e-4 && abs < 1e6;
}

/** How the validator prints a message value (docs/ir.md, messages). */
function formatValue(v: unknown): string {
  if (v === undefined) return '<unset>';
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(formatValue).join(', ');
  return JSON.stringify(v);
}

function celPrintable(v: unknown, nested = false): boolean {
  if (absent(v) || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return celPrintsLikeJs(v);
  if (Array.isArray(v)) return !nested && v.every((x) => celPrintable(x, true));
  return false;
}

interface WalkEnv {
  vars: Map<string, unknown>;
  params: Readonly<Record<string, unknown>>;
  exempt: readonly string[] | undefined;
}

class Walker {
  mismatch: string | undefined;
  stringComparison = false;
  celMessageDiffers = false;
  emptyMessage = false;

  #flag(where: string, expected: string, found: unknown): void {
    this.mismatch ??= `expected ${expected} at ${where}, found ${jsonType(found)}`;
  }

  /** IR-DESIGN point 1, step by step; a mismatch reads as undefined. */
  read(root: unknown, path: Path, where: string): unknown {
    let node = root;
    for (const [i, key] of path.entries()) {
      if (absent(node)) return undefined;
      const at = `${where}${path
        .slice(0, i)
        .map((k) => `[${JSON.stringify(k)}]`)
        .join('')}`;
      if (typeof key === 'string') {
        if (!isObject(node)) {
          this.#flag(at, 'an object', node);
          return undefined;
        }
        node = Object.hasOwn(node, key) ? node[key] : undefined;
      } else {
        if (!Array.isArray(node)) {
          this.#flag(at, 'a list', node);
          return undefined;
        }
        node = key < node.length ? node[key] : undefined;
      }
    }
    return absent(node) ? undefined : node;
  }

  value(v: Value, env: WalkEnv): unknown {
    if ('lit' in v) return v.lit === null ? undefined : v.lit;
    if ('param' in v) {
      const p = env.params[v.param];
      return absent(p) ? undefined : p;
    }
    if ('get' in v) {
      const read = this.read(env.vars.get(v.get), v.path, v.get);
      return read === undefined && !absent(v.default) ? v.default : read;
    }
    // Every operand is evaluated: a mismatch in a later one counts even when an earlier one decides.
    const parts = ('concat' in v ? v.concat : v.coalesce).map((p) => this.value(p, env));
    if ('coalesce' in v) return parts.find((p) => p !== undefined);
    return parts.every((p) => typeof p === 'string') ? parts.join('') : undefined;
  }

  items(c: Collection, env: WalkEnv): unknown[] {
    if ('containers' in c) {
      const lists =
        c.containers === true
          ? (['initContainers', 'containers', 'ephemeralContainers'] as const)
          : c.containers;
      const out: unknown[] = [];
      for (const list of lists) {
        const containers = this.read(env.vars.get('pod'), ['spec', list], 'pod');
        if (containers === undefined) continue;
        if (!Array.isArray(containers)) {
          this.#flag(`pod.spec.${list}`, 'a list', containers);
          continue;
        }
        for (const [i, container] of containers.entries()) {
          if (!isObject(container)) {
            this.#flag(`pod.spec.${list}[${i}]`, 'an object', container);
            continue;
          }
          const image = container.image;
          if (typeof image === 'string' && env.exempt?.some((g) => globMatch(image, g))) continue;
          out.push(container);
        }
      }
      return out;
    }
    const source = 'list' in c ? c.list : c.entries;
    const v = this.value(source, env);
    if (v === undefined) return [];
    if ('list' in c) {
      if (Array.isArray(v)) return v.map((x) => (x === null ? undefined : x));
      this.#flag('a list collection', 'a list', v);
      return [];
    }
    if (isObject(v)) return Object.entries(v).map(([key, x]) => ({ key, value: x === null ? undefined : x }));
    this.#flag('an entries collection', 'an object', v);
    return [];
  }

  #bound<T>(env: WalkEnv, name: string, value: unknown, body: () => T): T {
    const had = env.vars.has(name);
    const saved = env.vars.get(name);
    env.vars.set(name, value);
    try {
      return body();
    } finally {
      if (had) env.vars.set(name, saved);
      else env.vars.delete(name);
    }
  }

  /** IR-DESIGN point 3; every operand and branch is evaluated. */
  cond(c: Cond, env: WalkEnv): boolean {
    if ('all' in c) return c.all.map((x) => this.cond(x, env)).every(Boolean);
    if ('any' in c) return c.any.map((x) => this.cond(x, env)).some(Boolean);
    if ('not' in c) return !this.cond(c.not, env);
    if ('defined' in c) return this.value(c.defined, env) !== undefined;
    if ('some' in c || 'every' in c) {
      const loop = 'some' in c ? c.some : c.every;
      const results = this.items(loop.in, env).map((item) =>
        this.#bound(env, loop.var, item, () => this.cond(loop.where, env)),
      );
      return 'some' in c ? results.some(Boolean) : results.every(Boolean);
    }
    if ('matches' in c) {
      const s = this.value(c.matches[0], env);
      return typeof s === 'string' && new RegExp(c.matches[1], 'u').test(s);
    }
    const [l, r] =
      'eq' in c
        ? c.eq
        : 'lt' in c
          ? c.lt
          : 'le' in c
            ? c.le
            : 'gt' in c
              ? c.gt
              : 'ge' in c
                ? c.ge
                : 'in' in c
                  ? c.in
                  : 'subset' in c
                    ? c.subset
                    : 'startsWith' in c
                      ? c.startsWith
                      : c.glob;
    const a = this.value(l, env);
    const b = this.value(r, env);
    if ('eq' in c) return a !== undefined && b !== undefined && jsonEqual(a, b);
    if ('lt' in c || 'le' in c || 'gt' in c || 'ge' in c) {
      let order: number;
      if (typeof a === 'number' && typeof b === 'number') order = a - b;
      else if (typeof a === 'string' && typeof b === 'string') {
        this.stringComparison = true;
        order = codePointOrder(a, b);
      } else return false;
      return 'lt' in c ? order < 0 : 'le' in c ? order <= 0 : 'gt' in c ? order > 0 : order >= 0;
    }
    if ('in' in c) return a !== undefined && Array.isArray(b) && b.some((x) => jsonEqual(a, x));
    if ('subset' in c) {
      if (a === undefined) return true;
      return Array.isArray(a) && Array.isArray(b) && a.every((x) => b.some((y) => jsonEqual(x, y)));
    }
    if (typeof a !== 'string' || b === undefined) return false;
    const patterns = Array.isArray(b) ? b : [b];
    const test = 'startsWith' in c ? (p: string) => a.startsWith(p) : (p: string) => globMatch(a, p);
    return patterns.some((p) => typeof p === 'string' && test(p));
  }

  rule(rule: Rule, env: WalkEnv): void {
    // A `when` that is false without a mismatch is false for the validator too: the checks do not run.
    if (rule.when && !this.cond(rule.when, env) && this.mismatch === undefined) return;
    for (const check of rule.checks) {
      const bindings = check.forEach ?? [];
      const run = (depth: number): void => {
        const binding = bindings[depth];
        if (!binding) {
          this.cond(check.deny, env);
          let text = '';
          for (const part of check.message) {
            if (typeof part === 'string') {
              text += part;
              continue;
            }
            const value = this.value(part, env);
            if (!celPrintable(value)) this.celMessageDiffers = true;
            text += formatValue(value);
          }
          if (text.trim() === '') this.emptyMessage = true;
          return;
        }
        for (const item of this.items(binding.in, env))
          this.#bound(env, binding.var, item, () => run(depth + 1));
      };
      run(0);
    }
  }
}

/** Strings in code-point order (JavaScript's `<` compares UTF-16 code units, which differs above U+FFFF). */
function codePointOrder(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]))
    );
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]))
  );
}

/** The pod a policy matching Pod kinds sees, or a mismatch when the template path crosses a non-object. */
function podOf(walker: Walker, object: Record<string, unknown>): unknown {
  const kind = object.kind;
  if (typeof kind !== 'string' || !isPodKind(kind)) return undefined;
  let node: unknown = object;
  const steps: string[] = [];
  for (const key of POD_TEMPLATE_PATHS[kind]) {
    if (absent(node)) return undefined;
    if (!isObject(node)) {
      walker.mismatch ??= `expected an object at ${steps.join('.')}, found ${jsonType(node)}`;
      return undefined;
    }
    steps.push(key);
    node = node[key];
  }
  if (!absent(node) && !isObject(node)) {
    walker.mismatch ??= `expected an object at ${steps.join('.')}, found ${jsonType(node)}`;
    return undefined;
  }
  return node;
}

export function walkRule(
  rule: Rule,
  object: Record<string, unknown>,
  params: Readonly<Record<string, unknown>>,
  exempt: readonly string[] | undefined,
): Walk {
  const walker = new Walker();
  const pod = podOf(walker, object);
  walker.rule(rule, {
    vars: new Map([
      ['object', object],
      ['pod', pod],
    ]),
    params,
    exempt,
  });
  return {
    mismatch: walker.mismatch,
    stringComparison: walker.stringComparison,
    celMessageDiffers: walker.celMessageDiffers,
    emptyMessage: walker.emptyMessage,
  };
}

/** Whether this validator orders strings (IR-DESIGN point 3), which it did not before issue 9. */
function validatorComparesStrings(): boolean {
  const config = irPolicyConfig(
    'probe-string-order',
    {
      checks: [{ deny: { lt: [{ lit: 'a' }, { lit: 'b' }] }, message: ['x'], field: '' }],
    },
    {},
  );
  const [result] = new Validator({ policies: [config] }).validate({
    kind: 'Service',
    metadata: { name: 'x' },
  });
  return result?.status === 'fail';
}

/** Why a (rule, resource) pair is not compared. */
export type Exclusion =
  /** A read of the wrong JSON type (see walkRule). */
  | 'mismatch'
  /** The validator reports an error (e.g. a literal-versus-read type mismatch, IR-DESIGN point 3). */
  | 'validator-error'
  /** Two strings compared, by a validator that does not order strings yet. */
  | 'string-order';

/** The validator's result on a pair, or why it is left out; the walk of the rule on it either way. */
export type Expected = { walk: Walk } & (
  | { excluded: Exclusion; detail: string }
  | { excluded: undefined; result: PolicyResult | undefined }
);

/** Objects with sorted keys: the validator prints objects in insertion order, Rego in key order. */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeys) as T;
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys(value[k])]),
  ) as T;
}

export interface ReferenceRun {
  /** By case index, then object index. */
  expected: Expected[][];
  counts: Record<Exclusion | 'compared', number>;
}

/**
 * The validator's verdict on every case's objects, each policy named `<prefix><case index>`, or the reason a pair
 * is left out. Objects must already be in the form the engines see (named, keys sorted).
 */
export function referenceResults(cases: readonly IrCase[], prefix: string): ReferenceRun {
  const ordersStrings = validatorComparesStrings();
  const counts = { mismatch: 0, 'validator-error': 0, 'string-order': 0, compared: 0 };
  const expected = cases.map((c, i) => {
    const id = `${prefix}${i}`;
    const validator = new Validator({
      policies: [irPolicyConfig(id, c.rule, c.params)],
      exceptions: irExceptions(id, c.exempt),
    });
    return c.objects.map((object): Expected => {
      const walk = walkRule(c.rule, object, c.params, c.exempt);
      let verdict: Expected;
      if (walk.mismatch !== undefined) verdict = { excluded: 'mismatch', detail: walk.mismatch, walk };
      else if (walk.stringComparison && !ordersStrings)
        verdict = { excluded: 'string-order', detail: '', walk };
      else {
        let result: PolicyResult | undefined;
        try {
          [result] = validator.validate(object);
        } catch (error) {
          verdict = { excluded: 'validator-error', detail: String(error), walk };
          counts[verdict.excluded]++;
          return verdict;
        }
        verdict =
          result?.status === 'error'
            ? { excluded: 'validator-error', detail: result.message, walk }
            : { excluded: undefined, result, walk };
      }
      counts[verdict.excluded ?? 'compared']++;
      return verdict;
    });
  });
  return { expected, counts };
}

/**
 * Messages as comparable parts: a CEL message joins its violations with "; ", line breaks become
 * spaces (the CEL compiler makes messages single-line) and Kubernetes trims the result; so both sides are cut at
 * every ";" and trimmed, and empty parts dropped.
 */
export const messageParts = (messages: readonly string[]): string[] =>
  [
    ...new Set(
      messages.flatMap((m) =>
        m
          .replaceAll('\n', ' ')
          .split(';')
          .map((p) => p.trim())
          .filter((p) => p !== ''),
      ),
    ),
  ].sort();
