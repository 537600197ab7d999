import type { Binding, Check, Collection, Cond, ContainerList, Json, Rule, Value } from '@palisade/core';
import fc from 'fast-check';

/**
 * Random IR rules and JSON resources over a small shared vocabulary, so conditions often hit present fields, nulls,
 * wrong types, JavaScript's special keys (`length`, integer strings) and glob/regex metacharacters.
 */

const KEYS = ['a', 'b', 'name', 'image', 'spec', 'containers', 'length', '0', '1', 'k'] as const;
const STRINGS = [
  '',
  'a',
  'b',
  'ab',
  'true',
  'a*',
  '*',
  'a.b',
  'x?y',
  'xy',
  'xzy',
  '[a]',
  'a\nb',
  '\\',
  'é',
  'reg/x',
] as const;
const VARS = ['x', 'y', 'pod'] as const;
/** Bindings never shadow `pod`/`object` (the reference deletes them after the check; see the report). */
const BINDING_VARS = ['c', 'd'] as const;
export const PARAM_NAMES = ['p1', 'p2', 'p3'] as const;

const scalar: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -2, max: 3 }),
  fc.constant(1.5),
  fc.constantFrom(...STRINGS),
);

/** JSON with keys in sorted order: the validator prints objects in insertion order, Rego in key order. */
export const jsonArbitrary: fc.Arbitrary<Json> = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('json'), { maxLength: 3 }),
    fc
      .dictionary(fc.constantFrom(...KEYS), tie('json'), { maxKeys: 4 })
      .map((o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)))),
  ),
})).json;

const path = fc.array(fc.oneof(fc.constantFrom(...KEYS), fc.constantFrom(0, 1)), { maxLength: 3 });

function valueArb(vars: readonly string[], depth: number): fc.Arbitrary<Value> {
  const leaves: fc.Arbitrary<Value>[] = [
    scalar.map((lit) => ({ lit })),
    fc.constantFrom(...PARAM_NAMES).map((param) => ({ param })),
    fc
      .record({ get: fc.constantFrom('object', 'pod', 'nope', ...vars), path, d: fc.option(scalar) })
      .map(({ get, path, d }) => (d === null ? { get, path } : { get, path, default: d })),
  ];
  if (depth <= 0) return fc.oneof(...leaves);
  const inner = valueArb(vars, depth - 1);
  return fc.oneof(
    ...leaves,
    fc.array(inner, { minLength: 1, maxLength: 3 }).map((coalesce) => ({ coalesce })),
    fc.array(inner, { minLength: 1, maxLength: 3 }).map((concat) => ({ concat })),
  );
}

const LISTS: readonly ContainerList[] = ['initContainers', 'containers', 'ephemeralContainers'];

function collectionArb(vars: readonly string[]): fc.Arbitrary<Collection> {
  return fc.oneof(
    valueArb(vars, 1).map((list) => ({ list })),
    valueArb(vars, 1).map((entries) => ({ entries })),
    fc.oneof(fc.constant(true as const), fc.subarray([...LISTS], { minLength: 1 })).map((containers) => ({
      containers,
    })),
  );
}

export function condArb(vars: readonly string[], depth: number): fc.Arbitrary<Cond> {
  const v = valueArb(vars, 1);
  const pair = fc.tuple(v, v);
  const leaves: fc.Arbitrary<Cond>[] = [
    v.map((defined) => ({ defined })),
    pair.map((eq) => ({ eq })),
    pair.map((lt) => ({ lt })),
    pair.map((ge) => ({ ge })),
    pair.map((p) => ({ in: p })),
    pair.map((subset) => ({ subset })),
    pair.map((startsWith) => ({ startsWith })),
    pair.map((glob) => ({ glob })),
    fc.tuple(v, fc.constantFrom('^a', 'b$', '^[a-z]*$', '\\.', '^$')).map((matches) => ({ matches })),
  ];
  if (depth <= 0) return fc.oneof(...leaves);
  const sub = condArb(vars, depth - 1);
  const loop = fc.constantFrom(...VARS).chain((name) =>
    fc.record({
      var: fc.constant(name),
      in: collectionArb(vars),
      where: condArb([...vars, name], depth - 1),
    }),
  );
  return fc.oneof(
    { weight: 3, arbitrary: fc.oneof(...leaves) },
    { weight: 1, arbitrary: fc.array(sub, { maxLength: 3 }).map((all) => ({ all })) },
    { weight: 1, arbitrary: fc.array(sub, { maxLength: 3 }).map((any) => ({ any })) },
    { weight: 1, arbitrary: sub.map((not) => ({ not })) },
    { weight: 1, arbitrary: loop.map((some) => ({ some })) },
    { weight: 1, arbitrary: loop.map((every) => ({ every })) },
  );
}

const checkArb: fc.Arbitrary<Check> = fc
  .array(fc.constantFrom(...BINDING_VARS), { maxLength: 2 })
  .chain((names) => {
    const unique = [...new Set(names)];
    const bindings: fc.Arbitrary<Binding>[] = unique.map((name, i) =>
      collectionArb(unique.slice(0, i)).map((c) => ({ var: name, in: c })),
    );
    return fc.record({
      forEach: fc.tuple(...bindings),
      // Negated and always-true denies make violations (and so printed values) as common as passes.
      deny: fc.oneof(
        condArb(unique, 2),
        condArb(unique, 2).map((c): Cond => ({ not: c })),
        fc.constant<Cond>({ all: [] }),
      ),
      message: fc.array(fc.oneof(fc.constantFrom('m ', '"q"', ''), valueArb(unique, 1)), { maxLength: 4 }),
      field: fc.constantFrom('', 'image', 'a.b'),
      fieldFrom: fc.option(fc.constantFrom('object', 'pod', 'nope', ...unique), { nil: undefined }),
    });
  })
  .map(({ forEach, fieldFrom, ...rest }) => {
    const check: Check = { ...rest, ...(forEach.length > 0 ? { forEach } : {}) };
    return fieldFrom === undefined ? check : { ...check, fieldFrom };
  });

export const ruleArbitrary: fc.Arbitrary<Rule> = fc
  .record({
    when: fc.option(condArb([], 1), { nil: undefined }),
    checks: fc.array(checkArb, { minLength: 1, maxLength: 2 }),
  })
  .map(({ when, checks }) => (when === undefined ? { checks } : { when, checks }));

/** Resources of a Pod kind (or not) whose pod spec holds random container lists. */
export const resourceArbitrary: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    kind: fc.constantFrom('Pod', 'Deployment', 'CronJob', 'Service'),
    extra: fc.dictionary(fc.constantFrom(...KEYS), jsonArbitrary, { maxKeys: 3 }),
    lists: fc.dictionary(
      fc.constantFrom(...LISTS),
      fc.oneof(fc.array(jsonArbitrary, { maxLength: 3 }), jsonArbitrary),
      { maxKeys: 3 },
    ),
    specExtra: fc.dictionary(fc.constantFrom(...KEYS), jsonArbitrary, { maxKeys: 2 }),
  })
  .map(({ kind, extra, lists, specExtra }) => {
    const pod = { ...extra, spec: { ...specExtra, ...lists } };
    if (kind === 'Pod' || kind === 'Service') return { ...pod, kind };
    if (kind === 'Deployment') return { ...extra, kind, spec: { template: pod } };
    return { ...extra, kind, spec: { jobTemplate: { spec: { template: pod } } } };
  });

/** Hostile strings: quotes, newlines, Rego and CEL syntax, glob and regex metacharacters. */
export const HOSTILE_STRINGS = [
  '"',
  "'",
  '\n',
  '\\',
  '"} violation[{"msg": "x"}] { true',
  '`) || true || (`',
  'input.parameters',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal placeholder is the hostile input
  '${x}',
  '.*',
  '*',
  '?',
  '[',
  '(?i)a',
  'a|b',
  '\u2028',
  'é',
] as const;

export const paramsArbitrary: fc.Arbitrary<Record<string, Json>> = fc.record({
  p1: fc.oneof(jsonArbitrary, fc.constantFrom(...HOSTILE_STRINGS)),
  p2: fc.array(fc.oneof(fc.constantFrom(...STRINGS), fc.constantFrom(...HOSTILE_STRINGS)), { maxLength: 3 }),
  p3: fc.oneof(fc.constant(null), fc.constantFrom(...STRINGS)),
});

export const exemptArbitrary: fc.Arbitrary<string[] | undefined> = fc.option(
  fc.array(fc.constantFrom('a*', '*', 'b', 'reg/*', 'x?y', '[a]'), { maxLength: 2 }),
  { nil: undefined },
);
