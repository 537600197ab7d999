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

/** One-line strings longer than this are folded (`>-`) onto lines of at most FOLD_WIDTH characters of text. */
const FOLD_OVER = 120;
const FOLD_WIDTH = 100;

/**
 * Prose that can be written as a folded block scalar and read back as itself: words separated by single spaces
 * (a folded line break reads as one space), nothing to escape, no leading or trailing space.
 */
const FOLDABLE = /^[^\s]+(?: [^\s]+)*$/u;

function foldable(s: string): boolean {
  return s.length > FOLD_OVER && FOLDABLE.test(s) && !needsEscape(s);
}

/** The words of `s` on lines of at most FOLD_WIDTH characters (a longer word stays whole on its own line). */
function foldLines(s: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of s.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > FOLD_WIDTH) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

interface Tokens {
  prefix: string;
  /** Token → double-quoted scalar with escapes. */
  escaped: Map<string, string>;
  /** Token → string to write as a folded block scalar (values only; keys stay one line). */
  folded: Map<string, string>;
}

/** Replaces strings that need escaping or folding by unique plain tokens (swapped back after stringifying). */
function tokenize(value: unknown, tokens: Tokens, isValue = true): unknown {
  const swap = (s: string, allowFold: boolean): string => {
    if (allowFold && foldable(s)) {
      const token = `${tokens.prefix}f${tokens.folded.size}z`;
      tokens.folded.set(token, s);
      return token;
    }
    if (!needsEscape(s)) return s;
    const token = `${tokens.prefix}${tokens.escaped.size}z`;
    tokens.escaped.set(token, escapedScalar(s));
    return token;
  };
  if (typeof value === 'string') return swap(value, isValue);
  if (Array.isArray(value)) return value.map((v) => tokenize(v, tokens));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [swap(k, false), tokenize(v, tokens)]));
}

/**
 * A folded token stands alone at the end of its line (`key: TOKEN` or `- TOKEN`): it becomes `>-` and the text on
 * lines indented two columns past where the key or item starts, deeper than its parent as YAML requires.
 */
function unfold(text: string, tokens: Tokens): string {
  if (tokens.folded.size === 0) return text;
  const token = new RegExp(`^([ -]*)(.*?)(${tokens.prefix}f\\d+z)$`, 'gm');
  return text.replace(token, (whole, lead: string, rest: string, t: string) => {
    const value = tokens.folded.get(t);
    if (value === undefined) return whole;
    const indent = ' '.repeat(lead.length + 2);
    return `${lead}${rest}>-\n${foldLines(value)
      .map((l) => indent + l)
      .join('\n')}`;
  });
}

export function toManifestYaml(value: unknown): string {
  const json = JSON.stringify(value);
  let prefix = 'palisadeescaped';
  while (json.includes(prefix)) prefix += 'x';
  const tokens: Tokens = { prefix, escaped: new Map(), folded: new Map() };
  const doc = new Document(tokenize(value, tokens), { version: '1.1' });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && !node.value.includes('\n') && readsAsOtherThan(node.value)) {
        node.type = 'QUOTE_DOUBLE';
      }
    },
  });
  let text = doc.toString({ lineWidth: 0, directives: false });
  text = unfold(text, tokens);
  if (tokens.escaped.size > 0)
    text = text.replace(new RegExp(`${prefix}\\d+z`, 'g'), (t) => tokens.escaped.get(t) ?? t);
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
