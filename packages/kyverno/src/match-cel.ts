import { celString, globsToRe2 } from '@palisade/cel';
import type { LabelSelector } from '@palisade/core';

/**
 * CEL tests of a resource's identity, for ValidatingPolicy match conditions and PolicyException conditions. The
 * globs and names come from configuration (the policy's match, an exception), not from admission data; they are
 * escaped into literals, never spliced.
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
