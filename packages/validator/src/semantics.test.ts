import {
  any,
  bind,
  type Cond,
  check,
  coalesce,
  containers,
  defined,
  entries,
  eq,
  every,
  field,
  ge,
  glob,
  gt,
  le,
  list,
  lt,
  matches,
  not,
  object,
  oneOf,
  param,
  rule,
  some,
  startsWith,
  subsetOf,
  type Value,
} from '@palisade/core';
import { describe, expect, it } from 'vitest';
import {
  compareStrings,
  compileCond,
  compileRule,
  compileValue,
  type Env,
  formatValue,
  TypeMismatchError,
} from './compile.js';

/**
 * The IR semantics of docs/ir.md ("Semantics"), row by row: every read and operator on every JSON type. The
 * validator is the reference; the Rego and CEL backends are held to the same table by the random-IR differentials.
 */

const env = (obj: unknown, params: Record<string, unknown> = {}, exemptImages?: string[]): Env => ({
  vars: { object: obj, pod: obj },
  paths: { object: [], pod: [] },
  params,
  exemptImages,
});
const holds = (cond: Cond, obj: unknown, params?: Record<string, unknown>) =>
  compileCond(cond)(env(obj, params));
const value = (v: Value, obj: unknown) => compileValue(v)(env(obj));

/** The mismatch message, resolved from the resource root, or `ok` when the evaluation did not throw. */
function mismatch(run: () => unknown, podPath: readonly string[] = []): string {
  try {
    run();
    return 'ok';
  } catch (error) {
    if (!(error instanceof TypeMismatchError)) throw error;
    error.resolve({ object: [], pod: podPath });
    return error.message;
  }
}

/** One value of every JSON type (and undefined). */
const SAMPLES: Record<string, unknown> = {
  undefined: undefined,
  null: null,
  boolean: true,
  number: 3,
  string: 's',
  list: ['s'],
  object: { k: 's' },
};

describe('reads', () => {
  it('a string key on an object gives its own value; missing keys and null read as undefined', () => {
    expect(value(object('a.b'), { a: { b: 1 } })).toBe(1);
    expect(value(object('a.b'), { a: { b: null } })).toBeUndefined();
    expect(value(object('a.b'), { a: {} })).toBeUndefined();
    expect(value(object('constructor'), {})).toBeUndefined();
    expect(value(object('toString.x'), {})).toBeUndefined();
  });
  it('a numeric index on a list gives that element, out of range undefined', () => {
    expect(value(object(['a', 1]), { a: ['x', 'y'] })).toBe('y');
    expect(value(object(['a', 2]), { a: ['x', 'y'] })).toBeUndefined();
    expect(value(object(['a', 0, 'b']), { a: [null] })).toBeUndefined();
  });
  it('undefined and null stop the path without error', () => {
    for (const v of [undefined, null]) expect(value(object('a.b.c.d'), { a: v })).toBeUndefined();
  });
  it('any other step is a type mismatch naming the field and the types', () => {
    for (const [type, v] of Object.entries(SAMPLES)) {
      const key = mismatch(() => value(object('a.k'), { a: v }));
      const index = mismatch(() => value(object(['a', 0]), { a: v }));
      const expectedKey =
        type === 'object' || type === 'undefined' || type === 'null'
          ? 'ok'
          : `expected an object at a, found ${type === 'list' ? 'a list' : `a ${type} (${JSON.stringify(v)})`}`;
      const expectedIndex =
        type === 'list' || type === 'undefined' || type === 'null'
          ? 'ok'
          : `expected a list at a, found ${type === 'object' ? 'an object' : `a ${type} (${JSON.stringify(v)})`}`;
      expect({ type, key, index }).toEqual({ type, key: expectedKey, index: expectedIndex });
    }
  });
  it('"length" of a list is a mismatch, not the length (no JavaScript quirk)', () => {
    expect(mismatch(() => value(object('a.length'), { a: [1, 2] }))).toBe(
      'expected an object at a, found a list',
    );
    expect(mismatch(() => value(object('a.length'), { a: 'abc' }))).toBe(
      'expected an object at a, found a string ("abc")',
    );
  });
  it('default replaces undefined only', () => {
    expect(value(object('a', 7), {})).toBe(7);
    expect(value(object('a', 7), { a: null })).toBe(7);
    expect(value(object('a', 7), { a: false })).toBe(false);
  });
  it('coalesce gives the first defined operand; concat is undefined unless every operand is a string', () => {
    expect(value(coalesce(object('a'), object('b'), 'z'), { a: null, b: 0 })).toBe(0);
    expect(value(coalesce(object('a')), {})).toBeUndefined();
    expect(value({ concat: [{ lit: 'p/' }, object('n')] }, { n: 'c' })).toBe('p/c');
    for (const type of ['undefined', 'null', 'boolean', 'number', 'list', 'object']) {
      expect(value({ concat: [{ lit: 'p/' }, object('n')] }, { n: SAMPLES[type] })).toBeUndefined();
    }
  });
});

describe('operators on every JSON type (operands that no literal types)', () => {
  const types = Object.keys(SAMPLES);
  it('eq is strict JSON equality, false on undefined, never an error', () => {
    for (const a of types) {
      for (const b of types) {
        const result = holds(eq(object('a'), object('b')), { a: SAMPLES[a], b: SAMPLES[b] });
        const defined = a !== 'undefined' && a !== 'null';
        expect({ a, b, result }).toEqual({ a, b, result: a === b && defined });
      }
    }
    expect(holds(eq(object('a'), object('b')), { a: { x: [1, { y: 2 }] }, b: { x: [1, { y: 2 }] } })).toBe(
      true,
    );
    expect(holds(eq(object('a'), object('b')), { a: { x: 1, y: 2 }, b: { y: 2, x: 1 } })).toBe(true);
    expect(holds(eq(object('a'), object('b')), { a: [1, 2], b: [2, 1] })).toBe(false);
    expect(holds(eq(object('a'), object('b')), { a: { x: 1 }, b: { x: 1, y: null } })).toBe(false);
  });
  it('comparisons hold for two numbers or two strings (code-point order) only', () => {
    for (const a of types) {
      for (const b of types) {
        const result = holds(lt(object('a'), object('b')), { a: SAMPLES[a], b: SAMPLES[b] });
        expect({ a, b, result }).toEqual({ a, b, result: false });
      }
    }
    expect(holds(lt(object('a'), object('b')), { a: 2, b: 10 })).toBe(true);
    expect(holds(lt(object('a'), object('b')), { a: '10', b: '2' })).toBe(true);
    expect(holds(le(object('a'), object('b')), { a: 'x', b: 'x' })).toBe(true);
    expect(holds(gt(object('a'), object('b')), { a: 'b', b: 'a' })).toBe(true);
    expect(holds(ge(object('a'), object('b')), { a: 1, b: 1 })).toBe(true);
    // U+FFFF sorts before U+10000 by code point, although its UTF-16 unit is larger than the surrogate's.
    expect(holds(lt(object('a'), object('b')), { a: '\uffff', b: '\u{10000}' })).toBe(true);
    expect(compareStrings('\u{10000}', '\uffff')).toBeGreaterThan(0);
    expect(compareStrings('\ud7ff', '\u{10000}')).toBeLessThan(0);
    expect(compareStrings('ab', 'abc')).toBeLessThan(0);
  });
  it('in and subset need a list on the right (a parameter: reads of the right are typed); subset of undefined is true', () => {
    for (const b of types) {
      const params = { b: SAMPLES[b] };
      const r = {
        in: compileCond(oneOf(object('a'), param('b')))(env({ a: 's' }, params)),
        subset: compileCond(subsetOf(object('a'), param('b')))(env({ a: ['s'] }, params)),
        subsetOfUndefined: compileCond(subsetOf(object('a'), param('b')))(env({}, params)),
      };
      expect({ b, r }).toEqual({ b, r: { in: b === 'list', subset: b === 'list', subsetOfUndefined: true } });
    }
    expect(holds(oneOf(object('a'), object('b')), { a: { x: 1 }, b: [{ x: 1 }] })).toBe(true);
    expect(holds(oneOf(object('a'), object('b')), { b: [null] })).toBe(false);
    expect(holds(subsetOf(object('a'), object('b')), { a: [], b: [] })).toBe(true);
  });
  it('startsWith, glob and matches need a string on the left (a parameter: reads of the left are typed)', () => {
    for (const a of types) {
      const params = { a: SAMPLES[a], p: 's', ps: ['x', 's'] };
      const string = a === 'string';
      const r = {
        startsWith: compileCond(startsWith(param('a'), param('p')))(env({}, params)),
        anyPrefix: compileCond(startsWith(param('a'), param('ps')))(env({}, params)),
        glob: compileCond(glob(param('a'), '*'))(env({}, params)),
        matches: compileCond(matches(param('a'), '^s$'))(env({}, params)),
      };
      expect({ a, r }).toEqual({
        a,
        r: { startsWith: string, anyPrefix: string, glob: string, matches: string },
      });
    }
    // A pattern that is not a string (or a list element that is not) matches nothing.
    expect(compileCond(startsWith(param('a'), param('p')))(env({}, { a: 's', p: 1 }))).toBe(false);
    expect(compileCond(glob(param('a'), param('p')))(env({}, { a: 's', p: [1, 's'] }))).toBe(true);
  });
  it('defined is present and not null', () => {
    for (const a of types) {
      expect({ a, r: holds(defined(object('a')), { a: SAMPLES[a] }) }).toEqual({
        a,
        r: a !== 'undefined' && a !== 'null',
      });
    }
  });
});

describe('field types implied by the policy', () => {
  it('a field compared with a literal of one JSON type must have that type', () => {
    expect(mismatch(() => holds(eq(object('a'), true), { a: 'true' }))).toBe(
      'expected a boolean at a, found a string ("true")',
    );
    expect(mismatch(() => holds(not(eq(object('a'), 0)), { a: '0' }))).toBe(
      'expected a number at a, found a string ("0")',
    );
    expect(mismatch(() => holds(eq(object('a'), 'x'), { a: ['x'] }))).toBe(
      'expected a string at a, found a list',
    );
    expect(mismatch(() => holds(gt(object('a'), 0), { a: '5' }))).toBe(
      'expected a number at a, found a string ("5")',
    );
    expect(mismatch(() => holds(oneOf(object('a'), ['x', 'y']), { a: 1 }))).toBe(
      'expected a string at a, found a number (1)',
    );
    // Undefined and null are not a type: the literal's check is simply false.
    expect(holds(eq(object('a'), true), { a: null })).toBe(false);
    expect(holds(eq(object('a'), true), {})).toBe(false);
  });
  it('string tests type their left operand; ranges type their source; defined types nothing', () => {
    expect(mismatch(() => holds(matches(object('i'), 'x'), { i: 1 }))).toBe(
      'expected a string at i, found a number (1)',
    );
    expect(mismatch(() => holds(startsWith(object('i'), 'x'), { i: {} }))).toBe(
      'expected a string at i, found an object',
    );
    expect(mismatch(() => holds(subsetOf(object('a'), ['x']), { a: 'x' }))).toBe(
      'expected a list at a, found a string ("x")',
    );
    expect(mismatch(() => holds(oneOf('x', object('a')), { a: 'x' }))).toBe(
      'expected a list at a, found a string ("x")',
    );
    expect(holds(defined(object('a')), { a: 'anything' })).toBe(true);
  });
  it('the types a field may have are the union over the rule (a quantity is a number or a string)', () => {
    const quantityZero = any(eq(object('cpu'), 0), matches(object('cpu'), '^0+m?$'));
    expect(holds(quantityZero, { cpu: 0 })).toBe(true);
    expect(holds(quantityZero, { cpu: '0m' })).toBe(true);
    expect(holds(quantityZero, { cpu: '500m' })).toBe(false);
    expect(mismatch(() => holds(quantityZero, { cpu: true }))).toBe(
      'expected a number or a string at cpu, found a boolean (true)',
    );
  });
  it('coalesce passes the types on to each operand, and the error names the operand read', () => {
    const cond = eq(coalesce(object('a'), object('b')), 0);
    expect(holds(cond, { b: 0 })).toBe(true);
    expect(mismatch(() => holds(cond, { b: '0' }))).toBe('expected a number at b, found a string ("0")');
  });
  it('a parameter types the field by its value (its elements, for in); an absent parameter types nothing', () => {
    const cond = oneOf(object('a'), param('allowed'));
    expect(holds(cond, { a: 'x' }, { allowed: ['x'] })).toBe(true);
    expect(mismatch(() => holds(cond, { a: 1 }, { allowed: ['x'] }))).toBe(
      'expected a string at a, found a number (1)',
    );
    expect(holds(cond, { a: 1 }, { allowed: [] })).toBe(false);
    expect(holds(cond, { a: 1 }, {})).toBe(false);
    expect(mismatch(() => holds(eq(object('a'), param('p')), { a: 'x' }, { p: 2 }))).toBe(
      'expected a number at a, found a string ("x")',
    );
  });
  it('the operands of a concat in a condition are read as strings', () => {
    const cond = eq(object('key'), { concat: [{ lit: 'p/' }, object('name')] });
    expect(holds(cond, { key: 'p/a', name: 'a' })).toBe(true);
    expect(mismatch(() => holds(cond, { key: 'p/7', name: 7 }))).toBe(
      'expected a string at name, found a number (7)',
    );
  });
  it('two reads compared with each other type nothing', () => {
    expect(holds(eq(object('a'), object('b')), { a: 1, b: '1' })).toBe(false);
  });
});

describe('collections', () => {
  const count = (cond: Cond, obj: unknown) => mismatch(() => holds(cond, obj));
  const anyX = (source: Value) => some('x', list(source), defined(field('x', '')));
  const anyEntry = (source: Value) => some('e', entries(source), defined(field('e', 'value')));
  it('list ranges over a list (undefined is empty), anything else is a mismatch', () => {
    expect(holds(anyX(object('xs')), {})).toBe(false);
    expect(holds(anyX(object('xs')), { xs: null })).toBe(false);
    expect(holds(anyX(object('xs')), { xs: [null, 1] })).toBe(true);
    expect(count(anyX(object('xs')), { xs: 'a' })).toBe('expected a list at xs, found a string ("a")');
    expect(count(anyX(object('xs')), { xs: { a: 1 } })).toBe('expected a list at xs, found an object');
  });
  it('entries ranges over an object, anything else is a mismatch', () => {
    expect(holds(anyEntry(object('m')), { m: { k: 1 } })).toBe(true);
    expect(holds(anyEntry(object('m')), { m: { k: null } })).toBe(false);
    expect(count(anyEntry(object('m')), { m: ['k'] })).toBe('expected an object at m, found a list');
  });
  it('containers: a container list that is not a list, or a container that is not an object, is a mismatch', () => {
    const privileged = some('c', containers(), eq(field('c', 'securityContext.privileged'), true));
    expect(count(privileged, { spec: 42 })).toBe('expected an object at spec, found a number (42)');
    expect(count(privileged, { spec: { containers: 'nginx:latest' } })).toBe(
      'expected a list at spec.containers, found a string ("nginx:latest")',
    );
    expect(count(privileged, { spec: { initContainers: [{}], containers: [{}, 'x'] } })).toBe(
      'expected an object at spec.containers[1], found a string ("x")',
    );
    expect(count(privileged, { spec: { containers: [null] } })).toBe(
      'expected an object at spec.containers[0], found null',
    );
    expect(count(privileged, ['pod'])).toBe('expected an object at the resource root, found a list');
  });
  it('an image exception cannot match an image that is not a string', () => {
    const cond = every('c', containers(), defined(field('c', 'name')));
    const pod = { spec: { containers: [{ name: 'a', image: 7 }] } };
    expect(compileCond(cond)(env(pod))).toBe(true);
    expect(mismatch(() => compileCond(cond)(env(pod, {}, ['x/*'])))).toBe(
      'expected a string at spec.containers[0].image, found a number (7)',
    );
  });
});

describe('mismatch paths are where the field sits in the resource', () => {
  it('through loops in conditions, nested bindings, entries and list elements', () => {
    const pod = {
      spec: {
        initContainers: [{ name: 'i' }],
        containers: [
          { name: 'a', ports: [{ hostPort: 0 }] },
          {
            name: 'b',
            ports: [{ hostPort: 0 }, { hostPort: '80' }],
            securityContext: { privileged: 'true' },
          },
        ],
      },
      metadata: { annotations: { ok: 'x', bad: 5 } },
    };
    const inLoop = some('c', containers(), eq(field('c', 'securityContext.privileged'), true));
    expect(mismatch(() => holds(inLoop, pod))).toBe(
      'expected a boolean at spec.containers[1].securityContext.privileged, found a string ("true")',
    );
    const nested = some(
      'c',
      containers(),
      some('p', list(field('c', 'ports')), not(eq(field('p', 'hostPort', 0), 0))),
    );
    expect(mismatch(() => holds(nested, pod))).toBe(
      'expected a number at spec.containers[1].ports[1].hostPort, found a string ("80")',
    );
    const annotations = every(
      'a',
      entries(object('metadata.annotations')),
      startsWith(field('a', 'value'), 'x'),
    );
    expect(mismatch(() => holds(annotations, pod))).toBe(
      'expected a string at metadata.annotations.bad, found a number (5)',
    );
    const bound = compileRule({
      rule: rule([
        check({
          forEach: [bind('c', containers()), bind('p', list(field('c', 'ports')))],
          deny: not(eq(field('p', 'hostPort', 0), 0)),
          message: ['m'],
          field: 'hostPort',
        }),
      ]),
    });
    const template = ['spec', 'template'];
    const controller: Env = {
      vars: { object: {}, pod },
      paths: { object: [], pod: template },
      params: {},
      exemptImages: undefined,
    };
    expect(mismatch(() => bound.evaluate(controller), template)).toBe(
      'expected a number at spec.template.spec.containers[1].ports[1].hostPort, found a string ("80")',
    );
  });
  it('a list element read through an index', () => {
    expect(mismatch(() => holds(eq(object(['a', 1, 'b']), true), { a: [{}, { b: 1 }] }))).toBe(
      'expected a boolean at a[1].b, found a number (1)',
    );
  });
});

describe('evaluation order', () => {
  it('all and any short-circuit left to right, so a later mismatch is not reached', () => {
    expect(holds({ all: [eq(object('x'), 1), eq(object('a'), true)] }, { x: 2, a: 'true' })).toBe(false);
    expect(holds({ any: [eq(object('x'), 1), eq(object('a'), true)] }, { x: 1, a: 'true' })).toBe(true);
    expect(
      mismatch(() => holds({ any: [eq(object('x'), 1), eq(object('a'), true)] }, { x: 2, a: 'true' })),
    ).toBe('expected a boolean at a, found a string ("true")');
  });
  it('a rule whose precondition meets a mismatch throws from applies', () => {
    const compiled = compileRule({
      rule: rule(
        [check({ deny: defined(object('x')), message: ['m'], field: '' })],
        not(eq(object('os'), 'windows')),
      ),
    });
    expect(mismatch(() => compiled.applies(env({ os: 1 })))).toBe(
      'expected a string at os, found a number (1)',
    );
  });
});

describe('messages print every type', () => {
  it('undefined as <unset>, strings as themselves, lists joined, the rest as JSON', () => {
    expect(
      Object.fromEntries(
        Object.entries(SAMPLES).map(([type, v]) => [type, formatValue(v === null ? undefined : v)]),
      ),
    ).toEqual({
      undefined: '<unset>',
      null: '<unset>',
      boolean: 'true',
      number: '3',
      string: 's',
      list: 's',
      object: '{"k":"s"}',
    });
    expect(formatValue(['a', 1, null, { b: [2] }, ['c', 'd']])).toBe('a, 1, null, {"b":[2]}, c, d');
  });
});
