import { fastSchema } from '@palisade/yaml';
import { load } from 'js-yaml';
import { parseSimple } from './yaml-simple.js';

/**
 * The fast path for plain YAML documents. A multi-document text is split into documents by a line scan; each
 * document that uses none of the features where two YAML parsers could disagree is read by the block-structure
 * parser of yaml-simple.ts, or, when its scalars need a complete YAML parser, by `js-yaml`, both resolving plain
 * scalars with the reference's own rules (yaml-schema.ts). Everything else, and every document either refuses, is
 * left to the reference parser (`yaml`) by the caller. The differential test (manifests.differential.test.ts)
 * checks that both paths give the same resources, document indexes, lines and errors.
 */

/** One document's text in a multi-document file, as the line scan splits it. */
export interface YamlChunk {
  /** Offset of the chunk's first character (of its `---` line, when it has one). */
  readonly start: number;
  /** Offset just past the chunk (past its `...` line, when it has one). */
  readonly end: number;
  /** 1-based line of `start`. */
  readonly line: number;
  /** Offset of the first character of content (neither marker, space nor comment), or -1 when there is none. */
  readonly contentStart: number;
  /** 1-based line of `contentStart`. */
  readonly contentLine: number;
}

/**
 * Why a whole text is left to the reference parser (not split into documents), or undefined. Directives (`%` at
 * the start of a line) carry from one document to the next in YAML 1.1, and other line breaks than `\n` and `\r\n`
 * or a byte order mark inside the text could make the line scan split documents where the reference does not.
 */
export function textIneligibility(text: string): string | undefined {
  const found = /^%|\r(?!\n)|[\u0085\u2028\u2029\ufeff]/m.exec(text);
  if (!found) return undefined;
  return found[0] === '%' ? 'a directive' : 'a line break other than \\n and \\r\\n, or a byte order mark';
}

const DASH = 0x2d;
const DOT = 0x2e;
const SPACE = 0x20;
const TAB = 0x09;
const NEWLINE = 0x0a;
/** Only ever before a `\n` in a text the line scan splits (see `textIneligibility`). */
const RETURN = 0x0d;
const HASH = 0x23;

/** Whether a document marker (`---` or `...`, then white space or the end of the line) starts at `at`. */
function markerAt(text: string, at: number, char: number): boolean {
  if (text.charCodeAt(at) !== char || text.charCodeAt(at + 1) !== char || text.charCodeAt(at + 2) !== char) {
    return false;
  }
  const next = text.charCodeAt(at + 3);
  return Number.isNaN(next) || next === SPACE || next === TAB || next === NEWLINE || next === RETURN;
}

/** Whether a line's first character that is not a blank (at `first`) starts content: not a comment, not its end. */
function isContent(text: string, first: number): boolean {
  const c = text.charCodeAt(first);
  return !Number.isNaN(c) && c !== NEWLINE && c !== RETURN && c !== HASH;
}

/** The offset of the first character at or after `at` that is neither a space nor a tab. */
function skipBlanks(text: string, at: number): number {
  let i = at;
  for (let c = text.charCodeAt(i); c === SPACE || c === TAB; c = text.charCodeAt(++i));
  return i;
}

/**
 * Splits a text (with only `\n` and `\r\n` line breaks, see `textIneligibility`) into documents, as kubectl splits
 * a stream into documents before it parses any. A line that starts with `---`
 * or `...` followed by white space or the end of the line is a document marker: YAML forbids both at column 0
 * inside any scalar, so no document can span one. A `---` line starts a chunk (and what follows the marker on its
 * line belongs to it); a `...` line ends one. As in the reference parser, a chunk is a document when it starts
 * with `---` or has any line that is not blank or a comment (a lone `...` counts: it ends an empty document);
 * only documents are returned, in order.
 */
export function splitYamlDocuments(text: string): YamlChunk[] {
  const chunks: YamlChunk[] = [];
  let start = 0;
  let startLine = 1;
  let explicit = false;
  let contentStart = -1;
  let contentLine = 0;
  let hasContent = false;
  const close = (end: number): void => {
    if (end > start && (explicit || hasContent)) {
      chunks.push({ start, end, line: startLine, contentStart, contentLine });
    }
  };
  let line = 1;
  for (let at = 0; at < text.length; line++) {
    const newline = text.indexOf('\n', at);
    const next = newline === -1 ? text.length : newline + 1;
    if (markerAt(text, at, DASH)) {
      close(at);
      start = at;
      startLine = line;
      explicit = true;
      hasContent = false;
      contentStart = -1;
      contentLine = 0;
      const first = skipBlanks(text, at + 3);
      if (isContent(text, first)) {
        contentStart = first;
        contentLine = line;
      }
    } else if (markerAt(text, at, DOT)) {
      hasContent = true;
      close(next);
      start = next;
      startLine = line + 1;
      explicit = false;
      hasContent = false;
      contentStart = -1;
      contentLine = 0;
    } else {
      const first = skipBlanks(text, at);
      if (isContent(text, first)) {
        hasContent = true;
        if (contentStart === -1) {
          contentStart = first;
          contentLine = line;
        }
      }
    }
    at = next;
  }
  close(text.length);
  return chunks;
}

/**
 * Features where parsers are known to disagree, or where `js-yaml` accepts what the reference rejects; a chunk with
 * any of them goes to the reference parser. Deliberately blunt: a false alarm only costs speed.
 * - `<<`: merge keys; `?` followed by white space: complex keys;
 * - `]` or `}` before `:`: a flow collection used as a key (stringified differently);
 * - tabs (indentation rules differ), control characters, non-characters, lone surrogates, other line breaks;
 * - content after a `---` or `...` marker on its line (`--- a: b` is an error for the reference only), and lines
 *   that start with `---` or `...` without being markers (js-yaml reads `---{}` as a marker, the reference as a
 *   plain scalar).
 */
const RISKY =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are among what it must find.
  /[\t\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]|<<|\?(?=[ \n]|$)|[\]}] *:|^(?:---|\.\.\.)(?: +[^ #\n]|[^ \n])/mu;

/**
 * Anchors and aliases (`&`, `*`: alias bombs too, which only the reference's `maxAliasCount` limits) and tags
 * (`!`). The block-structure parser refuses any node that starts with one (they cannot start a plain scalar), so
 * with it these characters are text wherever they are accepted (in quoted and block scalars, inside plain ones:
 * `'*'` in RBAC rules, `a&b` in URLs). Without it (`js-yaml` alone, the bench's comparison) they are refused
 * anywhere.
 */
const NODE_PROPERTIES = /[&*!]/;

/** Why a chunk cannot take the fast path (a character check), or undefined when it may. */
export function chunkIneligibility(
  text: string,
  chunk: YamlChunk,
  tiers: FastTiers = 'block-parser',
): string | undefined {
  const source = text.slice(chunk.start, chunk.end);
  const risky = RISKY.exec(source) ?? (tiers === 'js-yaml' ? NODE_PROPERTIES.exec(source) : null);
  return risky ? `it contains ${JSON.stringify(risky[0])}` : undefined;
}

/** Which fast tier read a chunk: `JSON.parse` (a JSON document), yaml-simple.ts, or `js-yaml`. */
export type FastParser = 'json' | 'simple' | 'js-yaml';

/** The outcome of the fast path on one chunk, and which parser read it. */
export type FastResult = { ok: true; value: unknown; parser: FastParser } | { ok: false; reason: string };

/**
 * Which tiers of the fast path read a chunk: `block-parser` (yaml-simple.ts, then `js-yaml` for what it leaves), or
 * `js-yaml` alone (what the bench compares the block parser with; see docs/performance.md).
 */
export type FastTiers = 'block-parser' | 'js-yaml';

/**
 * Reads a chunk on the fast path: the character checks, then the block-structure parser (yaml-simple.ts), which
 * reads most documents completely; documents whose structure it accepts but whose scalars it does not decode go
 * to `js-yaml`. Any refusal or failure (a syntax error, a duplicate key, a scalar the fast schema refuses, a key
 * the parsers name differently) is reported, never thrown: the caller then reads the chunk with the reference
 * parser, which gives the precise error.
 */
export function loadFast(text: string, chunk: YamlChunk, tiers: FastTiers = 'block-parser'): FastResult {
  const ineligible = chunkIneligibility(text, chunk, tiers);
  if (ineligible !== undefined) return { ok: false, reason: ineligible };
  if (tiers === 'block-parser') {
    if (text.charCodeAt(chunk.contentStart) === OPEN_BRACE) {
      const json = parseJsonChunk(text, chunk);
      if (json !== undefined) return { ok: true, value: json, parser: 'json' };
    }
    const simple = parseSimple(text, chunk.start, chunk.end);
    if (simple.kind === 'refused') return { ok: false, reason: simple.reason };
    if (simple.kind === 'value') return { ok: true, value: simple.value, parser: 'simple' };
  }
  let value: unknown;
  try {
    value = load(text.slice(chunk.start, chunk.end), { schema: fastSchema });
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
  if (hasNullKey(value)) return { ok: false, reason: 'a null key' };
  return { ok: true, value: value === undefined ? null : value, parser: 'js-yaml' };
}

const OPEN_BRACE = 0x7b;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
/** Longer keys are left to the reference (which limits implicit keys to 1024 characters of source). */
const MAX_JSON_KEY = 160;

/**
 * A chunk whose content is one JSON object (flow-style YAML as JSON writers print it, `yq -o json`, one object
 * per document), read by `JSON.parse` when that gives what the reference gives: YAML reads JSON's strings, `true`,
 * `false`, `null` and numbers alike, except duplicate keys (an error for the reference; JSON keeps the last),
 * `__proto__`, `-0` (0 for the reference), numbers out of range (strings for it) and very long keys, which are
 * left to the other tiers. Comments, a `...` line or anything after the object make `JSON.parse` fail: the same.
 */
function parseJsonChunk(text: string, chunk: YamlChunk): object | undefined {
  const source = text.slice(chunk.contentStart, chunk.end);
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch {
    return undefined;
  }
  const keys = jsonKeyCount(value);
  return keys !== -1 && keys === colonsOutsideStrings(source) ? (value as object) : undefined;
}

/** The number of keys of all objects in a parsed JSON value, or -1 when one of its values or keys is refused. */
function jsonKeyCount(value: unknown): number {
  if (typeof value === 'number') return Object.is(value, -0) || Math.abs(value) > 1e300 ? -1 : 0;
  if (value === null || typeof value !== 'object') return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) {
      const n = jsonKeyCount(item);
      if (n === -1) return -1;
      count += n;
    }
    return count;
  }
  const object = value as Record<string, unknown>;
  for (const key in object) {
    if (key.length > MAX_JSON_KEY || key === '__proto__') return -1;
    const n = jsonKeyCount(object[key]);
    if (n === -1) return -1;
    count += n + 1;
  }
  return count;
}

/** The `:` outside strings of a valid JSON text: one per key written, duplicates included. */
function colonsOutsideStrings(source: string): number {
  let count = 0;
  const length = source.length;
  for (let at = 0; at < length; at++) {
    const c = source.charCodeAt(at);
    if (c === COLON) count++;
    else if (c === QUOTE) {
      for (at++; at < length; at++) {
        const d = source.charCodeAt(at);
        if (d === BACKSLASH) at++;
        else if (d === QUOTE) break;
      }
    }
  }
  return count;
}

/**
 * Whether a mapping has the key "null": `js-yaml` names a null key (`~:`, `null:`, `{: x}`) "null" where the
 * reference names it "", so such documents (and the rare literal "null" key) take the reference path.
 */
function hasNullKey(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (const item of value) if (hasNullKey(item)) return true;
    return false;
  }
  const object = value as Record<string, unknown>;
  for (const key in object) {
    if (key === 'null' || hasNullKey(object[key])) return true;
  }
  return false;
}
