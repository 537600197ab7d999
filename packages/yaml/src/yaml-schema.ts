import { FAILSAFE_SCHEMA, type Schema as FastSchema, Type } from 'js-yaml';
import { Document, isScalar, type Scalar, type ScalarTag, type Tags } from 'yaml';

/**
 * How Kubernetes YAML is read, defined once for both parsers. The `yaml` package is the reference: its YAML 1.1
 * schema (filtered as below) decides what a plain scalar means. The fast parser (`js-yaml`) gets a schema built from
 * the very same tag objects, so the two cannot drift apart on what `yes`, `0644` or `1:20` mean.
 */

const INT_TAG = 'tag:yaml.org,2002:int';
const FLOAT_TAG = 'tag:yaml.org,2002:float';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's `strconv.ParseInt(s, 0, 64)`, or `ParseUint` when `unsigned` (no sign): base prefixes, a leading 0 is octal. */
function goParseInt(s: string, unsigned: boolean): bigint | undefined {
  const match = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!match) return undefined;
  const [, sign = '', digits = ''] = match;
  if (unsigned && sign !== '') return undefined;
  // BigInt reads 0x, 0o and 0b itself; a bare leading 0 is Go's octal.
  const magnitude = BigInt(/^0[0-7]+$/.test(digits) ? `0o${digits.slice(1)}` : digits);
  const value = sign === '-' ? -magnitude : magnitude;
  if (unsigned) return value <= UINT64_MAX ? value : undefined;
  return value >= INT64_MIN && value <= INT64_MAX ? value : undefined;
}

/** Go's `strconv.ParseInt(s, 2, 64)`: an optional sign, binary digits. */
function goParseBinary(s: string): bigint | undefined {
  const match = /^([-+]?)([01]+)$/.exec(s);
  if (!match) return undefined;
  const value = BigInt(`0b${match[2]}`) * (match[1] === '-' ? -1n : 1n);
  return value >= INT64_MIN && value <= INT64_MAX ? value : undefined;
}

/** go-yaml v2's `yamlStyleFloat`; Go's ParseFloat then fails (and the scalar stays a string) when out of range. */
const YAML_STYLE_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

function goParseFloat(s: string): number | undefined {
  const value = Number(s);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * A plain scalar that starts with a sign, a digit or a dot, as go-yaml v2 resolves it (`resolve` in
 * go.yaml.in/yaml/v2, which kubectl reads manifests with through sigs.k8s.io/yaml): an int (underscores dropped,
 * `0x`/`0o`/`0b` prefixes and a leading `0` for octal, any case), else a decimal float, else the string itself.
 * The `yaml` package's YAML 1.1 rules differ at the edges, and each difference is a manifest a policy would read
 * otherwise than the cluster: `runAsUser: 0o0` is root for kubectl but was a string here; `e5` or `.` were NaN.
 * `.nan` and `.inf` are floats kubectl cannot turn into JSON: it rejects the document, so this is an error too.
 */
function resolveKubernetesNumber(source: string, onError: (message: string) => void): unknown {
  const special = /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/.test(source);
  if (special) {
    onError(`${source} is not a number JSON can carry (kubectl rejects it)`);
    return source;
  }
  if (source.startsWith('.')) {
    return DOT_FLOAT.test(source) ? (goParseFloat(source.replace(/_/g, '')) ?? source) : source;
  }
  const plain = source.replace(/_/g, '');
  const int = goParseInt(plain, false) ?? goParseInt(plain, true);
  if (int !== undefined) return Number(int);
  if (YAML_STYLE_FLOAT.test(plain)) {
    const float = goParseFloat(plain);
    if (float !== undefined) return float;
  }
  // go-yaml v2 tries binary once more after the prefix, where ParseInt takes a sign: `0b-1` is -1.
  const binary = plain.startsWith('0b')
    ? goParseBinary(plain.slice(2))
    : plain.startsWith('-0b')
      ? goParseBinary(`-${plain.slice(3)}`)
      : undefined;
  return binary === undefined ? source : Number(binary);
}

/** What Go's ParseFloat reads of a scalar starting with a dot: Go float literal syntax, `_` between digits. */
const DOT_FLOAT = /^\.[0-9](?:_?[0-9])*(?:[eE][-+]?[0-9](?:_?[0-9])*)?$/;

/** Ints and floats, one tag for both: go-yaml v2 decides between them (and plain strings) by parsing. */
const kubernetesNumber: ScalarTag & { test: RegExp } = {
  tag: FLOAT_TAG,
  default: true,
  // Only ever used to read, never to write (toManifestYaml has its own schema).
  identify: () => false,
  test: /^[-+.0-9]/,
  resolve: (source, onError) => resolveKubernetesNumber(source, onError) as Scalar['value'],
};

/**
 * YAML is read as kubectl reads it (YAML 1.1 through go-yaml v2): `yes`/`on` are booleans, `0644` is octal, merge
 * keys work, numbers are go-yaml's (see `resolveKubernetesNumber`), timestamps and sexagesimal numbers stay
 * strings. Reading `privileged: yes` as the string "yes" would let a privileged container through.
 */
const kubernetesTags = (tags: Tags): Tags => [
  ...tags.filter((tag) =>
    typeof tag === 'string'
      ? !['intTime', 'floatTime', 'timestamp', 'int', 'float'].includes(tag)
      : tag.format !== 'TIME' && ![INT_TAG, FLOAT_TAG, 'tag:yaml.org,2002:timestamp'].includes(tag.tag),
  ),
  kubernetesNumber,
];

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
