import {
  type Binding,
  type Check,
  type Collection,
  type Cond,
  type ContainerList,
  definePolicy,
  type Json,
  type PolicyConfig,
  type PolicyException,
  paramNames,
  type Rule,
  type Value,
} from '@palisade/core';
import fc from 'fast-check';
import { z } from 'zod';
import { HOSTILE_STRINGS } from './hostile.js';

/**
 * Random IR rules, JSON resources and hostile parameters over a small shared vocabulary, so conditions often hit
 * present fields, nulls, every JSON type where another is expected (lists where objects are read, strings where
 * lists are ranged over), JavaScript's special keys (`length`, integer strings) and glob/regex metacharacters.
 * Every backend's random-IR differential draws from here: Rego through `opa`, CEL through gator and Kyverno.
 */

const KEYS = ['a', 'b', 'name', 'image', 'spec', 'containers', 'length', '0', '1', 'k'] as const;
const STRINGS = [
  '',
  'a',
  'b',
  'B',
  'ab',
  'true',
  '10',
  '9',
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
  // U+FF5E sorts before U+1F642 by code point, after it by UTF-16 code unit: string comparisons must use the former.
  '\uff5e',
  '\u{1f642}',
  'reg/x',
] as const;
/** Numbers every backend must print as JavaScript does: integers, fractions, and where exponents start. */
const NUMBERS = [-2, -1, 0, 1, 2, 3, 1.5, -0.5, 0.1, 1234567.5, 1e-7, 1e21] as const;
const LOOP_VARS = ['x', 'y'] as const;
/** `forEach` variables; loops and bindings never shadow the built-ins `pod` and `object` (the schema forbids it). */
const BINDING_VARS = ['c', 'd'] as const;
export const PARAM_NAMES = ['p1', 'p2', 'p3'] as const;

const scalar: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.constantFrom(...NUMBERS),
  fc.constantFrom(...STRINGS),
);

/** JSON with keys in sorted order: the validator prints objects in insertion order, Rego in key order. */
export const jsonArbitrary: fc.Arbitrary<Json> = fc.letrec<{ json: Json }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('json'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('json'), { maxKeys: 4 }).map(sortedObject),
  ),
})).json;

function sortedObject<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

const step = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...KEYS) }, fc.constantFrom(0, 1));
/** A path; from `object` and `pod` (always objects) it starts with a key, not an index. */
const pathFrom = (root: string): fc.Arbitrary<(string | number)[]> =>
  root === 'object' || root === 'pod'
    ? fc.oneof(
        fc.constant<(string | number)[]>([]),
        fc.tuple(fc.constantFrom(...KEYS), fc.array(step, { maxLength: 2 })).map(([k, rest]) => [k, ...rest]),
      )
    : fc.array(step, { maxLength: 3 });

export interface RuleOptions {
  /**
   * Also read variables no binding introduces (`nope`), which read as undefined. The CEL compiler refuses such
   * rules at build time (a clear error rather than a silent undefined), so only the Rego run draws them.
   */
  unboundVars: boolean;
}

function valueArb(vars: readonly string[], depth: number, options: RuleOptions): fc.Arbitrary<Value> {
  const readable = ['object', 'pod', ...(options.unboundVars ? ['nope'] : []), ...vars];
  const read: fc.Arbitrary<Value> = fc
    .constantFrom(...readable)
    .chain((get) =>
      fc.record({ get: fc.constant(get), path: pathFrom(get), d: fc.option(scalar, { freq: 3 }) }),
    )
    .map(({ get, path, d }) => (d === null ? { get, path } : { get, path, default: d }));
  const leaves: fc.WeightedArbitrary<Value>[] = [
    { weight: 1, arbitrary: scalar.map((lit) => ({ lit })) },
    { weight: 1, arbitrary: fc.constantFrom(...PARAM_NAMES).map((param) => ({ param })) },
    { weight: 3, arbitrary: read },
  ];
  if (depth <= 0) return fc.oneof(...leaves);
  const inner = valueArb(vars, depth - 1, options);
  return fc.oneof(
    ...leaves,
    {
      weight: 1,
      arbitrary: fc.array(inner, { minLength: 1, maxLength: 3 }).map((coalesce) => ({ coalesce })),
    },
    { weight: 1, arbitrary: fc.array(inner, { minLength: 1, maxLength: 3 }).map((concat) => ({ concat })) },
  );
}

const LISTS: readonly ContainerList[] = ['initContainers', 'containers', 'ephemeralContainers'];

function collectionArb(vars: readonly string[], options: RuleOptions): fc.Arbitrary<Collection> {
  // Mostly plain reads, which the resource decides the type of; any value sometimes (a literal, a coalesce).
  const readable = ['object', 'pod', ...vars];
  const source = fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .constantFrom(...readable)
        .chain((get) => pathFrom(get).map((path): Value => ({ get, path }))),
    },
    { weight: 1, arbitrary: valueArb(vars, 1, options) },
  );
  return fc.oneof(
    source.map((list) => ({ list })),
    source.map((entries) => ({ entries })),
    fc.oneof(fc.constant(true as const), fc.subarray([...LISTS], { minLength: 1 })).map((containers) => ({
      containers,
    })),
  );
}

function condArb(vars: readonly string[], depth: number, options: RuleOptions): fc.Arbitrary<Cond> {
  const v = valueArb(vars, 1, options);
  const pair = fc.tuple(v, v);
  const leaves: fc.Arbitrary<Cond>[] = [
    v.map((defined) => ({ defined })),
    pair.map((eq) => ({ eq })),
    pair.map((lt) => ({ lt })),
    pair.map((le) => ({ le })),
    pair.map((gt) => ({ gt })),
    pair.map((ge) => ({ ge })),
    pair.map((p) => ({ in: p })),
    pair.map((subset) => ({ subset })),
    pair.map((startsWith) => ({ startsWith })),
    pair.map((glob) => ({ glob })),
    fc.tuple(v, fc.constantFrom('^a', 'b$', '^[a-z]*$', '\\.', '^$', 'a.b')).map((matches) => ({ matches })),
  ];
  if (depth <= 0) return fc.oneof(...leaves);
  const sub = condArb(vars, depth - 1, options);
  const loop = fc.constantFrom(...LOOP_VARS).chain((name) =>
    fc.record({
      var: fc.constant(name),
      in: collectionArb(vars, options),
      where: condArb([...vars, name], depth - 1, options),
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

function checkArb(options: RuleOptions): fc.Arbitrary<Check> {
  const readable = ['object', 'pod', ...(options.unboundVars ? ['nope'] : [])];
  return fc
    .array(fc.constantFrom(...BINDING_VARS), { maxLength: 2 })
    .chain((names) => {
      const unique = [...new Set(names)];
      const bindings: fc.Arbitrary<Binding>[] = unique.map((name, i) =>
        collectionArb(unique.slice(0, i), options).map((c) => ({ var: name, in: c })),
      );
      return fc.record({
        forEach: fc.tuple(...bindings),
        // Negated and always-true denies make violations (and so printed values) as common as passes.
        deny: fc.oneof(
          condArb(unique, 2, options),
          condArb(unique, 2, options).map((c): Cond => ({ not: c })),
          fc.constant<Cond>({ all: [] }),
        ),
        message: fc.array(fc.oneof(fc.constantFrom('m ', '"q"', '', '; '), valueArb(unique, 1, options)), {
          minLength: 1,
          maxLength: 4,
        }),
        field: fc.constantFrom('', 'image', 'a.b'),
        fieldFrom: fc.option(fc.constantFrom(...readable, ...unique), { nil: undefined }),
      });
    })
    .map(({ forEach, fieldFrom, ...rest }) => {
      const check: Check = { ...rest, ...(forEach.length > 0 ? { forEach } : {}) };
      return fieldFrom === undefined ? check : { ...check, fieldFrom };
    });
}

export function ruleArbitrary(options: RuleOptions): fc.Arbitrary<Rule> {
  return fc
    .record({
      // Usually no precondition: a random one is mostly false, and a skipped rule checks nothing else.
      when: fc.oneof(
        { weight: 3, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: condArb([], 1, options) },
      ),
      checks: fc.array(checkArb(options), { minLength: 1, maxLength: 2 }),
    })
    .map(({ when, checks }) => (when === undefined ? { checks } : { when, checks }));
}

/** Containers are mostly objects with a name and an image; some are any JSON value. */
const containerArbitrary: fc.Arbitrary<Json> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .record({
        name: fc.constantFrom(...STRINGS),
        image: fc.oneof(fc.constantFrom('reg/x', 'a', 'ab', 'b', 'x?y', '[a]'), scalar),
        rest: fc.dictionary(fc.constantFrom(...KEYS), jsonArbitrary, { maxKeys: 2 }),
      })
      .map(({ name, image, rest }) => sortedObject({ ...rest, name, image })),
  },
  { weight: 1, arbitrary: jsonArbitrary },
);

/** Where an object is expected, usually an object, sometimes any other JSON value. */
const mostly = <T>(expected: fc.Arbitrary<T>): fc.Arbitrary<T | Json> =>
  fc.oneof({ weight: 6, arbitrary: expected }, { weight: 1, arbitrary: jsonArbitrary });

export const RESOURCE_KINDS = ['Pod', 'Deployment', 'CronJob', 'Service'] as const;
const API_VERSIONS: Record<(typeof RESOURCE_KINDS)[number], string> = {
  Pod: 'v1',
  Deployment: 'apps/v1',
  CronJob: 'batch/v1',
  Service: 'v1',
};

/**
 * Resources of a Pod kind (or not) whose pod spec holds random container lists: any JSON value can sit where the
 * IR reads, including a list or a string where an object is expected (the pod template, its spec, a container).
 */
export const resourceArbitrary: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    kind: fc.constantFrom(...RESOURCE_KINDS),
    extra: fc.dictionary(fc.constantFrom(...KEYS), jsonArbitrary, { maxKeys: 3 }),
    lists: fc.dictionary(
      fc.constantFrom(...LISTS),
      fc.oneof({ weight: 5, arbitrary: fc.array(containerArbitrary, { maxLength: 3 }) }, jsonArbitrary),
      { maxKeys: 3 },
    ),
    specExtra: fc.dictionary(fc.constantFrom(...KEYS), jsonArbitrary, { maxKeys: 2 }),
    odd: fc.record({ spec: mostly(fc.constant(undefined)), template: mostly(fc.constant(undefined)) }),
  })
  .map(({ kind, extra, lists, specExtra, odd }) => {
    const spec = odd.spec === undefined ? sortedObject({ ...specExtra, ...lists }) : odd.spec;
    const pod = sortedObject({ ...extra, spec });
    const template = odd.template === undefined ? pod : odd.template;
    const apiVersion = API_VERSIONS[kind];
    if (kind === 'Pod' || kind === 'Service') return { apiVersion, kind, ...pod };
    if (kind === 'Deployment') return { apiVersion, kind, ...extra, spec: { template } };
    return { apiVersion, kind, ...extra, spec: { jobTemplate: { spec: { template } } } };
  });

/** Parameters: any JSON, lists of hostile strings (Rego, CEL, YAML and glob syntax), null. */
export const paramsArbitrary: fc.Arbitrary<Record<string, Json>> = fc.record({
  p1: fc.oneof(jsonArbitrary, fc.constantFrom(...HOSTILE_STRINGS)),
  p2: fc.array(fc.oneof(fc.constantFrom(...STRINGS), fc.constantFrom(...HOSTILE_STRINGS), scalar), {
    maxLength: 3,
  }),
  p3: fc.oneof(fc.constant(null), fc.constantFrom(...STRINGS)),
});

/** Image globs whose containers the `containers` collection skips. */
export const exemptArbitrary: fc.Arbitrary<string[] | undefined> = fc.option(
  fc.array(fc.constantFrom('a*', '*', 'b', 'reg/*', 'x?y', '[a]'), { minLength: 1, maxLength: 2 }),
  { nil: undefined },
);

/** One random rule, the resources it is evaluated on, its parameters and image exceptions. */
export interface IrCase {
  rule: Rule;
  objects: readonly Record<string, unknown>[];
  params: Record<string, unknown>;
  exempt?: readonly string[] | undefined;
}

export function irCaseArbitrary(options: RuleOptions, objects: { max: number }): fc.Arbitrary<IrCase> {
  return fc.record({
    rule: ruleArbitrary(options),
    objects: fc.array(resourceArbitrary, { minLength: 1, maxLength: objects.max }),
    params: paramsArbitrary,
    exempt: exemptArbitrary,
  });
}

/**
 * Random cases, reproducibly: `PALISADE_IR_SEED` replays another sample. Sizes are the caller's (each test reads
 * its own environment variable, documented in docs/ir-differential.md).
 */
export function sampleIrCases(
  options: RuleOptions,
  sizes: { rules: number; objectsPerRule: number; seed: number },
): IrCase[] {
  return fc.sample(irCaseArbitrary(options, { max: sizes.objectsPerRule }), {
    numRuns: sizes.rules,
    seed: sizes.seed,
  });
}

/** The kinds every random policy matches: Pod (and so every Pod controller) and Service (which has no pod). */
export const RANDOM_IR_MATCH = { kinds: ['Pod', 'Service'] };

/**
 * A policy around a random rule: every parameter it reads accepts any JSON value, and unknown parameters pass
 * through (edge cases name their own).
 */
export function irPolicyConfig(id: string, rule: Rule, params: Record<string, unknown>): PolicyConfig {
  const shape = Object.fromEntries([...paramNames(rule)].map((name) => [name, z.json().optional()]));
  const policy = definePolicy({
    id,
    title: `Random rule ${id}`,
    description: 'A rule drawn by the random-IR differential.',
    severity: 'low',
    category: 'Testing',
    remediation: 'None: a test policy.',
    match: RANDOM_IR_MATCH,
    params: z.looseObject(shape),
    rule: () => rule,
  });
  return { policy, rule: policy.rule as Rule, params };
}

/** Image exceptions of a case as the validator takes them. */
export function irExceptions(id: string, exempt: readonly string[] | undefined): PolicyException[] {
  if (exempt === undefined || exempt.length === 0) return [];
  return [
    {
      name: `${id}-images`,
      policies: [id],
      reason: 'random image exception',
      match: { images: [...exempt] },
    },
  ];
}
