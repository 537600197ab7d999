import { Document, parse, visit } from 'yaml';
import { resolvePlainScalar, yamlOptions } from './yaml-schema.js';

/**
 * Deterministic YAML for generated files: key order is the order objects were built in, no line folding, and
 * every string reads back as itself in a YAML 1.1 reader (sigs.k8s.io/yaml, hence gator and kubectl, whose scalar
 * rules `resolvePlainScalar` reproduces) as in a YAML 1.2 one:
 * - a one-line string either version would take for something else (`yes`, `on`, `0o17`, `~`, …) is double-quoted;
 * - a string with a character YAML 1.1 treats as a line break or does not print (controls, U+0085, U+2028, U+2029,
 *   U+FEFF) is written as a double-quoted scalar with `\uXXXX` escapes, which the `yaml` library does not do;
 * - other multi-line strings stay block scalars.
 */

/** Code points that must be escaped: C0 and C1 controls (but \n), DEL, YAML 1.1 line breaks, BOM, non-characters. */
function mustEscape(code: number): boolean {
  return (
    (code < 0x20 && code !== 0x0a) ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0xfeff ||
    code === 0xfffe ||
    code === 0xffff ||
    (code >= 0xd800 && code <= 0xdfff)
  );
}

function needsEscape(s: string): boolean {
  for (const ch of s) if (mustEscape(ch.codePointAt(0) ?? 0)) return true;
  return false;
}

function readsAsOtherThan(text: string): boolean {
  try {
    return (
      parse(text, { version: '1.1', logLevel: 'silent' }) !== text ||
      parse(text, { version: '1.2', logLevel: 'silent' }) !== text ||
      // As kubectl, gator and the Kyverno CLI read it (go-yaml v2): `+_12` or `0X1F` are numbers there.
      resolvePlainScalar(text) !== text
    );
  } catch {
    return true;
  }
}

/** A YAML double-quoted scalar with everything outside printable ASCII-compatible text escaped. */
function escapedScalar(s: string): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (mustEscape(code)) {
      if (code >= 0xd800 && code <= 0xdfff) throw new Error('a string holds a lone UTF-16 surrogate');
      out += `\\u${code.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}

/** Replaces strings that need escaping by unique plain tokens (swapped back after stringifying). */
function tokenize(value: unknown, tokens: Map<string, string>, prefix: string): unknown {
  const swap = (s: string): string => {
    if (!needsEscape(s)) return s;
    const token = `${prefix}${tokens.size}z`;
    tokens.set(token, escapedScalar(s));
    return token;
  };
  if (typeof value === 'string') return swap(value);
  if (Array.isArray(value)) return value.map((v) => tokenize(v, tokens, prefix));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [swap(k), tokenize(v, tokens, prefix)]));
}

export function toManifestYaml(value: unknown): string {
  const json = JSON.stringify(value);
  let prefix = 'palisadeescaped';
  while (json.includes(prefix)) prefix += 'x';
  const tokens = new Map<string, string>();
  const doc = new Document(tokenize(value, tokens, prefix), { version: '1.1' });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && !node.value.includes('\n') && readsAsOtherThan(node.value)) {
        node.type = 'QUOTE_DOUBLE';
      }
    },
  });
  let text = doc.toString({ lineWidth: 0, directives: false });
  if (tokens.size > 0) text = text.replace(new RegExp(`${prefix}\\d+z`, 'g'), (t) => tokens.get(t) ?? t);
  for (const version of ['1.1', '1.2'] as const) {
    if (JSON.stringify(parse(text, { version })) !== json) {
      throw new Error(`YAML output does not round-trip under YAML ${version}`);
    }
  }
  if (JSON.stringify(parse(text, yamlOptions)) !== json) {
    throw new Error('YAML output does not round-trip as kubectl reads YAML');
  }
  return text;
}

/** Several documents in one stream. */
export const toManifestYamlStream = (values: readonly unknown[]): string =>
  values.map(toManifestYaml).join('---\n');
