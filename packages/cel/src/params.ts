import type { Json } from '@palisade/core';
import type { CelVariable } from './compile.js';
import { CEL_EXPRESSION_CODE_POINTS, codePoints, overLimit } from './limits.js';
import { celLiteral, celString } from './literal.js';

/**
 * The parameters as CEL variables, the last one named `name`, none over `maxCodePoints` (the CEL parser's limit):
 * one literal when it fits, as for every catalogue default. A larger value (5,000 `allowedIPs`) has its lists
 * split into chunks, each bound as a variable of its own (`params_0`, …) and concatenated, and its large map values
 * bound the same way, so parameter data never makes an expression too long. Only a single string over the limit
 * cannot be bound: it fails the build, naming `owner`.
 */
export function paramVariables(
  value: Json,
  owner: string,
  name = 'params',
  maxCodePoints = CEL_EXPRESSION_CODE_POINTS,
): CelVariable[] {
  const variables: CelVariable[] = [];
  const bind = (expression: string): string => {
    const variable = `${name}_${variables.length}`;
    variables.push({ name: variable, expression });
    return `variables.${variable}`;
  };
  /** Groups `items` (each at most the limit) into as few `open … close` expressions joined by `separator` as fit. */
  const pack = (items: readonly string[], open: string, separator: string, close: string): string[] => {
    const groups: string[] = [];
    let current: string[] = [];
    let size = codePoints(open) + codePoints(close);
    for (const item of items) {
      const added = codePoints(item) + (current.length > 0 ? codePoints(separator) : 0);
      if (current.length > 0 && size + added > maxCodePoints) {
        groups.push(`${open}${current.join(separator)}${close}`);
        current = [];
        size = codePoints(open) + codePoints(close);
      }
      current.push(item);
      size += codePoints(item) + (current.length > 1 ? codePoints(separator) : 0);
    }
    if (current.length > 0) groups.push(`${open}${current.join(separator)}${close}`);
    return groups;
  };
  /** `items` joined by ` + `, bound in layers until the sum itself fits. */
  const sum = (items: string[]): string => {
    let terms = items;
    while (codePoints(terms.join(' + ')) > maxCodePoints) terms = pack(terms, '', ' + ', '').map(bind);
    return terms.join(' + ') || '[]';
  };
  /** An expression for `v` of at most the limit, binding what does not fit. */
  const fit = (v: Json): string => {
    const literal = celLiteral(v);
    if (codePoints(literal) <= maxCodePoints) return literal;
    if (Array.isArray(v)) {
      const elements = v.map((element) => `dyn(${fitInside(element, 'dyn()'.length + 2)})`);
      return sum(pack(elements, '[', ', ', ']').map(bind));
    }
    if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v).sort();
      const values = keys.map((k) => fit(v[k] as Json));
      const map = () => `{${keys.map((k, i) => `${celString(k)}: dyn(${values[i]})`).join(', ')}}`;
      // The largest values become variables until the map fits.
      const bySize = values
        .map((_, i) => i)
        .sort((a, b) => codePoints(values[b] ?? '') - codePoints(values[a] ?? ''));
      for (const i of bySize) {
        if (codePoints(map()) <= maxCodePoints) break;
        values[i] = bind(values[i] as string);
      }
      if (codePoints(map()) <= maxCodePoints) return map();
    }
    throw overLimit(
      owner,
      'a parameter value as a CEL literal',
      codePoints(literal),
      'characters',
      maxCodePoints,
      'the CEL parser of Kyverno and Kubernetes',
    );
  };
  /** `fit`, leaving room for `overhead` characters around it. */
  const fitInside = (v: Json, overhead: number): string => {
    const expression = fit(v);
    return codePoints(expression) + overhead <= maxCodePoints ? expression : bind(expression);
  };
  const root = fit(value);
  variables.push({ name, expression: root });
  return variables;
}
