import {
  all,
  type Cond,
  check,
  coalesce,
  concat,
  containers,
  defined,
  entries,
  eq,
  every,
  field,
  glob,
  gt,
  list,
  matches,
  object,
  oneOf,
  param,
  pod,
  rule,
  some,
  startsWith,
  subsetOf,
} from '@palisade/core';
import { describe, expect, it } from 'vitest';
import { compileCond, compileRule, compileValue, type Env } from './compile.js';

const env = (obj: unknown, params: Record<string, unknown> = {}, exemptImages?: string[]): Env => ({
  vars: { object: obj, pod: obj },
  paths: { object: [], pod: [] },
  params,
  exemptImages,
});
const holds = (cond: Cond, obj: unknown, params?: Record<string, unknown>) =>
  compileCond(cond)(env(obj, params));

describe('IR semantics (reference implementation)', () => {
  it('reads missing fields and null as undefined', () => {
    expect(holds(defined(object('a.b')), { a: { b: null } })).toBe(false);
    expect(holds(defined(object('a.b')), { a: { b: false } })).toBe(true);
    expect(holds(defined(object('constructor')), {})).toBe(false);
    expect(compileValue(object('a', 7))(env({ a: null }))).toBe(7);
  });
  it('compares strictly and is false on undefined operands', () => {
    expect(holds(eq(object('a'), object('b')), { a: 'true', b: true })).toBe(false);
    expect(holds(eq(object('a'), 'RuntimeDefault'), { a: 'runtimedefault' })).toBe(false);
    expect(holds(eq(object('a'), object('b')), {})).toBe(false);
    expect(holds(eq(object('a'), { lit: { x: [1, 2] } }), { a: { x: [1, 2] } })).toBe(true);
    expect(holds(gt(object('a'), object('b')), { a: '5', b: 0 })).toBe(false);
    expect(holds(oneOf(object('a'), ['x']), {})).toBe(false);
  });
  it('ranges over empty and undefined collections', () => {
    expect(holds(every('x', list(object('xs')), eq(field('x', ''), 1)), {})).toBe(true);
    expect(holds(some('x', list(object('xs')), eq(field('x', ''), 1)), {})).toBe(false);
    expect(holds(some('x', list(object('xs')), eq(field('x', ''), 1)), { xs: [0, 1] })).toBe(true);
    expect(holds(subsetOf(object('xs'), ['a']), {})).toBe(true);
    expect(holds(subsetOf(object('xs'), ['a']), { xs: ['a', 'b'] })).toBe(false);
    expect(holds(some('e', entries(object('m')), eq(field('e', 'key'), 'k')), { m: { k: null } })).toBe(true);
  });
  it('tests strings against one pattern or any of a list, treating parameters as data', () => {
    expect(
      holds(startsWith(object('i'), param('p')), { i: 'ghcr.io/x' }, { p: ['docker.io/', 'ghcr.io/'] }),
    ).toBe(true);
    expect(holds(startsWith(object('i'), param('p')), { i: 'evil.io/x' }, { p: ['.*'] })).toBe(false);
    expect(holds(glob(object('i'), 'ghcr.io/*'), { i: 'ghcr.io/a/b' })).toBe(true);
    expect(holds(matches(object('i'), '@sha256:[a-f0-9]{64}$'), { i: `a@sha256:${'f'.repeat(64)}` })).toBe(
      true,
    );
    expect(holds(matches(coalesce(object('i')), 'x'), {})).toBe(false);
  });
  it('coalesces and concatenates', () => {
    expect(compileValue(coalesce(object('a'), object('b'), 'z'))(env({ b: 0 }))).toBe(0);
    expect(compileValue(concat('p/', object('n')))(env({ n: 'c' }))).toBe('p/c');
    expect(compileValue(concat('p/', object('n')))(env({ n: 3 }))).toBeUndefined();
  });
  it('reports one violation per binding with the field path, and skips containers exempted by image', () => {
    const compiled = compileRule({
      rule: rule([
        check({
          forEach: { var: 'c', in: containers() },
          deny: eq(field('c', 'securityContext.privileged'), true),
          message: ['container ', field('c', 'name')],
          field: 'securityContext.privileged',
        }),
      ]),
    });
    const privileged = { securityContext: { privileged: true } };
    const podObject = {
      spec: {
        initContainers: [{ name: 'i', image: 'vendor/init:1', ...privileged }],
        containers: [
          { name: 'a', image: 'app:1' },
          { name: 'b', image: 'app:1', ...privileged },
        ],
        ephemeralContainers: [{ name: 'e', image: 'debug:1', ...privileged }],
      },
    };
    expect(compiled.evaluate(env(podObject))).toEqual([
      { message: 'container i', path: ['spec', 'initContainers', 0, 'securityContext', 'privileged'] },
      { message: 'container b', path: ['spec', 'containers', 1, 'securityContext', 'privileged'] },
      { message: 'container e', path: ['spec', 'ephemeralContainers', 0, 'securityContext', 'privileged'] },
    ]);
    expect(compiled.evaluate(env(podObject, {}, ['vendor/*', 'debug:*'])).map((v) => v.message)).toEqual([
      'container b',
    ]);
  });
  it('applies a rule only when its precondition holds', () => {
    const compiled = compileRule({
      rule: rule(
        [check({ deny: defined(pod('spec')), message: ['m'], field: '' })],
        all(eq(pod('spec.os.name'), 'linux')),
      ),
    });
    expect(compiled.applies(env({ spec: { os: { name: 'windows' } } }))).toBe(false);
    expect(compiled.applies(env({ spec: { os: { name: 'linux' } } }))).toBe(true);
  });
});
