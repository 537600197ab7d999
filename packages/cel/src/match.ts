import type { LabelSelector, PolicyException } from '@palisade/core';
import { celGlobRegex, globsToRe2 } from './glob.js';
import { celString } from './literal.js';

/**
 * CEL tests of a resource's identity: whether a policy's match or an exception's resource criteria (kinds,
 * namespace and name globs, label selector) hold for the admitted object, as core's `exceptionMatchesResource`
 * decides. Two forms, one semantics: criteria known at build time become literals (escaped, never spliced), and
 * criteria that arrive as data at admission time (Gatekeeper's `exemptResources` parameter) are read by CEL.
 */

const namespace = 'object.?metadata.?namespace.orValue(null)';
const name = 'object.?metadata.?name.orValue(null)';
const label = (key: string) => `object.?metadata.?labels[?${celString(key)}].orValue(null)`;

/** The namespace (or name) is set and matches one of the globs. */
export function globTest(field: 'namespace' | 'name', globs: readonly string[]): string {
  const value = field === 'namespace' ? namespace : name;
  return `(type(${value}) == string && ${value}.matches(${celString(globsToRe2(globs))}))`;
}

export function kindTest(kinds: readonly string[]): string {
  return `object.?kind.orValue(null) in [${kinds.map(celString).join(', ')}]`;
}

/** A Kubernetes label selector over the object's labels (only string labels count, as in the validator). */
export function selectorTest(selector: LabelSelector): string {
  const tests: string[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {}).sort(([a], [b]) =>
    a < b ? -1 : 1,
  )) {
    tests.push(`${label(key)} == ${celString(value)}`);
  }
  for (const expr of selector.matchExpressions ?? []) {
    const has = `type(${label(expr.key)}) == string`;
    const values = `[${(expr.values ?? []).map(celString).join(', ')}]`;
    if (expr.operator === 'In') tests.push(`(${has} && ${label(expr.key)} in ${values})`);
    if (expr.operator === 'NotIn') tests.push(`!(${has} && ${label(expr.key)} in ${values})`);
    if (expr.operator === 'Exists') tests.push(has);
    if (expr.operator === 'DoesNotExist') tests.push(`!${has}`);
  }
  return tests.length === 0 ? 'true' : tests.join(' && ');
}

/** The resource criteria of an exception (everything but images) as a CEL bool over `object`, from literals. */
export function exceptionResourceTest(match: PolicyException['match']): string {
  const tests: string[] = [];
  if (match.kinds) tests.push(kindTest(match.kinds));
  if (match.namespaces) tests.push(globTest('namespace', match.namespaces));
  if (match.names) tests.push(globTest('name', match.names));
  if (match.labels) tests.push(`(${selectorTest(match.labels)})`);
  return tests.length === 0 ? 'true' : tests.join(' && ');
}

/** The object's metadata as a map (`{}` when it is not one): what `exemptEntryMatches` reads names from. */
export const metadataOf = (object: string): string =>
  `(type(${object}.?metadata.orValue(null)) == map ? ${object}.metadata : dyn({}))`;

/** The labels of `metadataOf(object)` as a map (`{}` when they are not one). */
export const labelsOf = (metadata: string): string =>
  `(type(${metadata}.?labels.orValue(null)) == map ? ${metadata}.labels : dyn({}))`;

/**
 * Whether the exception entry `e` (data: `{kinds?, namespaces?, names?, labels?}`, bound by the caller's
 * comprehension) matches the object held by the CEL expression `object`: every criterion it has holds. With no
 * `bound` it reads no variables, so it also works where CEL variables are not available (match conditions); with
 * `bound`, the metadata and labels are read from those expressions (variables holding `metadataOf`/`labelsOf`).
 * Entries of any shape are tolerated: a wrongly typed criterion does not hold, and nothing raises an evaluation
 * error.
 */
export function exemptEntryMatches(object: string, bound?: { metadata: string; labels: string }): string {
  const metadata = bound?.metadata ?? metadataOf(object);
  const labels = bound?.labels ?? labelsOf(metadata);
  /** A label's value when it is a string (only string labels count, as in the validator), else null. */
  const label = (key: string) =>
    `(type(${labels}[?${key}].orValue(null)) == string ? ${labels}[?${key}].orValue(null) : null)`;
  const dataGlobTest = (value: string, globs: string) =>
    `(type(${value}) == string && type(${globs}) == list && ${globs}.exists(g, type(g) == string && ${value}.matches(${celGlobRegex('g')})))`;
  const inValues = (x: string) =>
    `(${label(`${x}.key`)} != null && has(${x}.values) && type(${x}.values) == list && ${label(`${x}.key`)} in ${x}.values)`;
  return [
    `(!has(e.kinds) || (type(e.kinds) == list && ${object}.?kind.orValue(null) in e.kinds))`,
    ` && (!has(e.namespaces) || ${dataGlobTest(`${metadata}.?namespace.orValue(null)`, 'e.namespaces')})`,
    ` && (!has(e.names) || ${dataGlobTest(`${metadata}.?name.orValue(null)`, 'e.names')})`,
    ` && (!has(e.labels) || (type(e.labels) == map`,
    ` && (!has(e.labels.matchLabels) || (type(e.labels.matchLabels) == map && e.labels.matchLabels.all(k, ${label('k')} == e.labels.matchLabels[k])))`,
    ` && (!has(e.labels.matchExpressions) || (type(e.labels.matchExpressions) == list && e.labels.matchExpressions.all(x, type(x) == map && has(x.key) && has(x.operator) && (`,
    `x.operator == "In" ? ${inValues('x')} : x.operator == "NotIn" ? !${inValues('x')} : `,
    `x.operator == "Exists" ? ${label('x.key')} != null : x.operator == "DoesNotExist" ? ${label('x.key')} == null : false))))))`,
  ].join('');
}
