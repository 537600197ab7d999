import { type Cond, check, type Json, type Message, rule, type Value } from '@palisade/core';
import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import { describe, expect, it } from 'vitest';
import { compileRego } from './compile.js';
import { LIB_SOURCE } from './lib.js';
import { opaViolations } from './testing/opa.js';
import { type Case, compareWithReference } from './testing/reference.js';

/**
 * Edge cases of the IR semantics, each compared with the reference implementation: rules deny on `cond` and print
 * `values` in the message, so both verdicts and value rendering are checked.
 */
const pod = (extra: Record<string, unknown>): Record<string, unknown> => ({ kind: 'Pod', ...extra });
const get = (path: (string | number)[], fallback?: Json): Value =>
  fallback === undefined ? { get: 'object', path } : { get: 'object', path, default: fallback };
const param = (name: string): Value => ({ param: name });

function printing(values: readonly Value[], deny: Cond = { all: [] }): Case['rule'] {
  const message: Message = values.flatMap((v) => ['[', v, ']']);
  return rule([check({ deny, message, field: '' })]);
}

const GLOB_PATTERNS = [
  'x?y',
  'a+b',
  'a.b',
  '[a]',
  '(a)',
  'a|b',
  '^a$',
  '{a,b}',
  '\\',
  'a*b',
  '*',
  '',
  '?',
  '$',
  'a\\*',
];
const GLOB_SUBJECTS = [
  'xzy',
  'xy',
  'x\ny',
  'a+b',
  'aab',
  'a.b',
  'axb',
  '[a]',
  'a',
  '(a)',
  'a|b',
  '^a$',
  '{a,b}',
  '\\',
  'ab',
  'a\nb',
  '',
  'é',
  'a\\*',
  'a\\b',
];

const cases: Case[] = [
  // Globs: the pattern is data (a parameter) and a literal; metacharacters are literal, `?` is one character.
  ...GLOB_PATTERNS.flatMap((pattern): Case[] => [
    {
      rule: printing([get(['s'])], { glob: [get(['s']), param('g')] }),
      objects: GLOB_SUBJECTS.map((s) => pod({ s })),
      params: { g: pattern },
    },
    {
      rule: printing([get(['s'])], { glob: [get(['s']), { lit: [1, pattern] }] }),
      objects: GLOB_SUBJECTS.map((s) => pod({ s })),
      params: {},
    },
  ]),
  {
    rule: printing([get(['s'])], { startsWith: [get(['s']), param('p')] }),
    objects: GLOB_SUBJECTS.map((s) => pod({ s })),
    params: { p: ['a', null, 3, '\\', '[', ''] },
  },
  {
    rule: printing([get(['s'])], { matches: [get(['s']), '^a$'] }),
    objects: ['a', 'a\n', '\na', 'A', 'aa'].map((s) => pod({ s })),
    params: {},
  },
  // Keys that JavaScript treats specially are plain keys of objects; lists are read by index only (reads of the
  // wrong type are type mismatches, left out here and covered by the test below).
  {
    rule: printing([
      get(['l', 'length']),
      get(['l', '0']),
      get(['l', '01']),
      get(['l', 'x']),
      get(['m', 0]),
      get(['m', 1, 0]),
      get(['m', 5]),
    ]),
    objects: [
      pod({ l: { length: 7, 0: 'zero', 1: 'one', '01': 'x', x: null }, m: ['a', ['b']] }),
      pod({ l: {}, m: [] }),
      pod({ l: null, m: null }),
      pod({}),
    ],
    params: {},
  },
  // Strings are ordered by code point (U+FF5E before U+1F642, unlike UTF-16 code units); numbers and strings are
  // not ordered against each other.
  {
    rule: rule([
      check({ deny: { lt: [get(['a']), get(['b'])] }, message: ['lt'], field: '' }),
      check({ deny: { ge: [get(['a']), get(['b'])] }, message: ['ge'], field: '' }),
    ]),
    objects: [
      pod({ a: 'a', b: 'b' }),
      pod({ a: 'B', b: 'a' }),
      pod({ a: '10', b: '9' }),
      pod({ a: '\uff5e', b: '\u{1f642}' }),
      pod({ a: '', b: 'a' }),
      pod({ a: '1', b: 2 }),
      pod({ a: 1, b: 1.5 }),
      pod({ a: true, b: false }),
    ],
    params: {},
  },
  // Absent values, defaults, coalesce and concat.
  {
    rule: printing([
      get(['a'], 0),
      get(['a', 'b'], 'd'),
      { coalesce: [get(['a']), get(['b']), { lit: 'c' }] },
      { concat: [get(['a']), { lit: '-' }, get(['b'])] },
      { lit: null },
      param('missing'),
      param('nul'),
    ]),
    objects: [
      pod({}),
      pod({ a: null, b: 'x' }),
      pod({ a: 'y', b: 3 }),
      pod({ a: false, b: '' }),
      pod({ a: { b: null } }),
    ],
    params: { nul: null },
  },
  // Value formatting: numbers, booleans, nested lists, nulls inside lists, objects (sorted keys), empty lists.
  {
    rule: printing([get(['v'])]),
    objects: [
      1,
      1.5,
      -2,
      0,
      2.25,
      1e20,
      true,
      false,
      '',
      'x',
      [],
      [1, [2, [3, []]], null, 'a'],
      { a: 1, b: [1] },
      [{ a: null }],
    ].map((v) => pod({ v })),
    params: {},
  },
  // Strict equality and membership, comparisons on non-numbers, subsets.
  {
    rule: rule([
      check({ deny: { eq: [get(['a']), get(['b'])] }, message: ['eq'], field: 'a' }),
      check({ deny: { in: [get(['a']), get(['b'])] }, message: ['in'], field: 'b' }),
      check({ deny: { lt: [get(['a']), get(['b'])] }, message: ['lt'], field: '' }),
      check({ deny: { subset: [get(['a']), get(['b'])] }, message: ['subset'], field: '' }),
    ]),
    objects: [
      pod({ a: 'true', b: true }),
      pod({ a: 1, b: 1.0 }),
      pod({ a: 1, b: [1, 2] }),
      pod({ a: [1], b: [[1], 2] }),
      pod({ a: { x: [1] }, b: { x: [1] } }),
      pod({ a: null, b: [null] }),
      pod({ a: [null], b: [null] }),
      pod({ a: '1', b: 2 }),
      pod({ a: [], b: null }),
      pod({}),
    ],
    params: {},
  },
  // Containers: non-object entries, lists that are not lists, image exceptions (data), per-list selection.
  {
    rule: rule([
      check({
        forEach: [{ var: 'c', in: { containers: true } }],
        deny: { all: [] },
        message: ['c ', { get: 'c', path: ['name'] }, ' ', { get: 'c', path: ['image'] }],
        field: 'image',
      }),
      check({
        forEach: [{ var: 'c', in: { containers: ['ephemeralContainers', 'initContainers'] } }],
        deny: { all: [] },
        message: ['e ', { get: 'c', path: ['name'] }],
        field: '',
      }),
    ]),
    objects: [
      pod({
        spec: {
          containers: [
            { name: 'a', image: 'reg/x' },
            null,
            'str',
            [1],
            { name: 'b', image: 'other' },
            { name: 'c' },
          ],
          initContainers: { name: 'not-a-list' },
          ephemeralContainers: [{ name: 'e', image: 'a[1]' }],
        },
      }),
      // The same without type mismatches (the pod above has some, so it only proves the module does not error).
      pod({
        spec: {
          containers: [
            { name: 'a', image: 'reg/x' },
            { name: 'b', image: 'other' },
            { name: 'c' },
            { image: 7 },
          ],
          ephemeralContainers: [{ name: 'e', image: 'a[1]' }],
        },
      }),
      { kind: 'Deployment', spec: { template: { spec: { containers: [{ name: 'd', image: 'reg/y' }] } } } },
      { kind: 'CronJob', spec: { jobTemplate: { spec: { template: null } } } },
      { kind: 'Service', spec: { containers: [{ name: 's' }] } },
    ],
    params: {},
    exempt: ['reg/*', 'a[1]', '*.io/"x'],
  },
  // Entries: null values, paths of nested bindings, fieldFrom variants.
  {
    rule: rule([
      check({
        forEach: [
          { var: 'e', in: { entries: get(['m']) } },
          { var: 'x', in: { list: { get: 'e', path: ['value'] } } },
        ],
        deny: { not: { eq: [{ get: 'x', path: [] }, { lit: 1 }] } },
        message: [{ get: 'e', path: ['key'] }, '=', { get: 'x', path: [] }],
        field: 'f.g',
        fieldFrom: 'e',
      }),
      // An entry prints as an object; a null value is absent (random IR, seed 2).
      check({
        forEach: [{ var: 'e', in: { entries: get(['m']) } }],
        deny: { all: [] },
        message: ['entry ', { get: 'e', path: [] }],
        field: '',
      }),
      check({
        forEach: [{ var: 'x', in: { list: { coalesce: [get(['l'])] } } }],
        deny: { defined: { get: 'x', path: [] } },
        message: ['unknown path'],
        field: 'z',
      }),
    ]),
    objects: [
      pod({ m: { a: [1, 2, null], b: null, c: 'str', 'd.e': [3] }, l: [1, null, 2] }),
      pod({ m: { a: [1, 2, null], b: null, 'd.e': [3] }, l: [1, null, 2] }),
      pod({ m: [1] }),
    ],
    params: {},
  },
  // every over empty and absent collections, some false.
  {
    rule: rule(
      [
        check({
          deny: {
            every: {
              var: 'x',
              in: { list: get(['l']) },
              where: { eq: [{ get: 'x', path: [] }, { lit: 1 }] },
            },
          },
          message: ['every'],
          field: '',
        }),
        check({
          deny: {
            some: {
              var: 'x',
              in: { list: get(['l']) },
              where: { eq: [{ get: 'x', path: [] }, { lit: 2 }] },
            },
          },
          message: ['some'],
          field: '',
        }),
      ],
      { not: { eq: [get(['skip']), { lit: true }] } },
    ),
    objects: [
      pod({}),
      pod({ l: [] }),
      pod({ l: [1, 1] }),
      pod({ l: [1, 2] }),
      pod({ l: [{ spec: 0 }, 2] }),
      pod({ skip: true }),
    ],
    params: {},
  },
];

describe('compileRego edge cases', { timeout: ENGINE_TEST_TIMEOUT_MS }, () => {
  it('agrees with the reference on every edge case', () => {
    const result = compareWithReference(cases);
    console.log(`edge cases: ${result.evaluations} evaluations, ${JSON.stringify(result.counts)}`);
    expect(result.failures[0] ?? '').toBe('');
  });

  /** What one printing rule's message is in opa for each object. */
  function printed(values: readonly Value[], objects: readonly unknown[], deny?: Cond): string[] {
    const { rego } = compileRego(printing(values, deny), { packageName: 'templates.p', podKinds: true });
    const ids = objects.map((_, i) => `o${i}`);
    const out = opaViolations(
      [{ key: 'p', rego, params: {}, objects: ids }],
      new Map(objects.map((o, i) => [`o${i}`, o])),
      [LIB_SOURCE],
    );
    return ids.map(
      (id) =>
        out
          .get('p')
          ?.get(id)
          ?.map((v) => v.msg)
          .join(' | ') ?? '',
    );
  }

  it('reads a value of the wrong JSON type as absent, never as a JavaScript property or an error', () => {
    // Type mismatches (docs/ir.md): the validator reports them; generated Rego reads them as absent.
    const values = [
      get(['l', 'length']),
      get(['l', '0']),
      get(['l', '1', 'x']),
      get(['m', 0]),
      get(['s', 0]),
      get(['s', 'length']),
      get(['n', 'x']),
      get(['b', 0]),
    ];
    expect(
      printed(values, [
        pod({ l: ['a', 'b'], m: { 0: 'zero', length: 1 }, s: 'str', n: 5, b: true }),
        pod({ l: [[1]], m: [], s: [], n: { x: 1 }, b: ['t'] }),
      ]),
    ).toEqual([
      '[<unset>][<unset>][<unset>][<unset>][<unset>][<unset>][<unset>][<unset>]',
      '[<unset>][<unset>][<unset>][<unset>][<unset>][<unset>][1][t]',
    ]);
  });

  it('orders strings by code point and never orders a string against a number', () => {
    const pairs: [unknown, unknown][] = [
      ['a', 'b'],
      ['b', 'a'],
      ['B', 'a'],
      ['10', '9'],
      ['\uff5e', '\u{1f642}'],
      ['a', 'a'],
      ['1', 2],
      [1, '2'],
      [1, 1.5],
      [null, 'a'],
    ];
    const lt = printed(
      [{ lit: 'x' }],
      pairs.map(([a, b]) => pod({ a, b })),
      { lt: [get(['a']), get(['b'])] },
    );
    const ge = printed(
      [{ lit: 'x' }],
      pairs.map(([a, b]) => pod({ a, b })),
      { ge: [get(['a']), get(['b'])] },
    );
    expect(lt.map((m) => m !== '')).toEqual([
      true,
      false,
      true,
      true,
      true,
      false,
      false,
      false,
      true,
      false,
    ]);
    expect(ge.map((m) => m !== '')).toEqual([
      false,
      true,
      false,
      false,
      false,
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});
