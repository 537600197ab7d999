import { FAILSAFE_SCHEMA, type Schema as FastSchema, Type } from 'js-yaml';
import { Document, isScalar, type ScalarTag, type Tags } from 'yaml';

/**
 * How Kubernetes YAML is read, defined once for both parsers. The `yaml` package is the reference: its YAML 1.1
 * schema (filtered as below) decides what a plain scalar means. The fast parser (`js-yaml`) gets a schema built from
 * the very same tag objects, so the two cannot drift apart on what `yes`, `0644` or `1:20` mean.
 */

/**
 * YAML is read as kubectl reads it (YAML 1.1 through go-yaml v2): `yes`/`on` are booleans, `0644` is octal, merge
 * keys work, but timestamps and sexagesimal numbers stay strings. Reading `privileged: yes` as the string "yes"
 * would let a privileged container through.
 */
const kubernetesTags = (tags: Tags): Tags =>
  tags.filter((tag) =>
    typeof tag === 'string'
      ? !['intTime', 'floatTime', 'timestamp'].includes(tag)
      : tag.format !== 'TIME' && tag.tag !== 'tag:yaml.org,2002:timestamp',
  );

/** Options of the reference parser (`yaml`). */
export const yamlOptions = {
  version: '1.1',
  customTags: kubernetesTags,
  prettyErrors: false,
  logLevel: 'silent',
} as const;

/** Thrown by the fast schema where the reference parser would do something the fast path does not reproduce. */
export class FastPathUnsupported extends Error {}

/** The scalar tags the reference tries on a plain scalar, its parse options, and the union of their tests. */
function referenceScalarRules(): {
  tags: (ScalarTag & { test: RegExp })[];
  options: Document['options'];
  union: RegExp;
} {
  const reference = new Document(undefined, yamlOptions);
  const tags = (reference.schema.tags as readonly (ScalarTag | { collection: string })[]).filter(
    (tag): tag is ScalarTag & { test: RegExp } =>
      !('collection' in tag) && tag.test instanceof RegExp && (tag.default === true || tag.default === 'key'),
  );
  // The union is only equivalent to trying each test when none depends on flags (or on lastIndex, with `g`).
  for (const { test } of tags) {
    if (test.flags !== '') throw new Error(`cannot combine the scalar test ${test} of the reference schema`);
  }
  const union = new RegExp(tags.map(({ test }) => `(?:${test.source})`).join('|'));
  return { tags, options: reference.options, union };
}

const rules = referenceScalarRules();

function refuse(message: string): never {
  throw new FastPathUnsupported(message);
}

/**
 * The value of a plain (unquoted, untagged) scalar as the reference reads it: the reference tries, in order, each
 * tag of its schema that has a `test` and applies to the position (`default: true` everywhere, `'key'` only at
 * keys) and builds the value with the first match's `resolve`; so does this, with the reference's own tag objects.
 * Tags the reference applies to keys only (the `<<` merge key) throw `FastPathUnsupported` wherever they match, so
 * such a scalar sends the document to the reference parser. Most scalars are plain strings that match no tag: one
 * regular expression, the union of all the tests, rules them out at once.
 */
export function resolvePlainScalar(source: string): unknown {
  if (!rules.union.test(source)) return source;
  const tag = rules.tags.find(({ test }) => test.test(source));
  if (!tag) return source;
  if (tag.default !== true) refuse(`${tag.tag} applies to keys only`);
  const value = tag.resolve(source, refuse, rules.options);
  return isScalar(value) ? value.value : value;
}

/** The property name the reference gives a plain scalar key in a JS object (`stringifyKey`: null is ""). */
export function plainKeyName(source: string): string {
  const value = resolvePlainScalar(source);
  return value === null ? '' : String(value);
}

/** The `js-yaml` schema of the fast path: plain scalars resolve through `resolvePlainScalar`. */
export const fastSchema: FastSchema = FAILSAFE_SCHEMA.extend({
  implicit: [
    new Type('tag:palisade.dev,2025:reference-scalar', {
      kind: 'scalar',
      resolve: (data: unknown) => typeof data === 'string' && rules.union.test(data),
      construct: (data: string): unknown => resolvePlainScalar(data),
    }),
  ],
});
