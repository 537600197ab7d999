import type { Json } from '@palisade/core';

/**
 * CEL literals from data. Every string that reaches generated CEL source (parameter values, literal patterns,
 * message text) goes through `celString`, which escapes everything but printable ASCII, so no data can end a
 * literal early or add a line to the expression. It also escapes what Kyverno reads in the text of a ClusterPolicy
 * rule, CEL included, before any CEL runs (pkg/engine/variables/vars.go, v1.19.0): every brace, since `{{ … }}` is
 * a JMESPath variable, and the `$` of `$(`, a reference to another field of the rule. So the generated CEL holds
 * neither sequence, whatever the data.
 */

export function celString(text: string): string {
  let out = '"';
  const chars = [...text];
  for (const [i, char] of chars.entries()) {
    const cp = char.codePointAt(0) as number;
    // `$` is escaped only before `(`: the `$` of a regex anchor stays readable.
    if (char === '$' && chars[i + 1] === '(') out += '\\u0024';
    else if (char === '"') out += '\\"';
    else if (char === '\\') out += '\\\\';
    else if (char === '{' || char === '}') out += `\\u00${cp.toString(16)}`;
    else if (cp >= 0x20 && cp <= 0x7e) out += char;
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (cp >= 0xd800 && cp <= 0xdfff) {
      // CEL strings are Unicode scalar values; a lone surrogate has no CEL spelling.
      throw new Error(`cannot encode a lone UTF-16 surrogate (U+${cp.toString(16)}) in a CEL string`);
    } else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** A JSON number as a CEL int when it is a safe integer (as the engines decode integral JSON), else a double. */
export function celNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`cannot encode ${n} in CEL`);
  if (Number.isSafeInteger(n)) return String(n);
  const text = Number.isInteger(n) ? n.toExponential() : String(n);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/**
 * A JSON value as a CEL literal. Elements and map values are wrapped in `dyn()` because the Kubernetes CEL
 * environments reject heterogeneous list and map literals.
 */
export function celLiteral(value: Json): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return celNumber(value);
  if (typeof value === 'string') return celString(value);
  if (Array.isArray(value)) return `[${value.map((v) => `dyn(${celLiteral(v)})`).join(', ')}]`;
  const entries = Object.keys(value)
    .sort()
    .map((k) => `${celString(k)}: dyn(${celLiteral(value[k] as Json)})`);
  return `{${entries.join(', ')}}`;
}
