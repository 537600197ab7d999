import { FastPathUnsupported, plainKeyName, resolvePlainScalar } from '@palisade/yaml';

/**
 * The first tier of the YAML fast path: a parser for the block structure of plain documents, the shape nearly all
 * Kubernetes manifests have (block mappings and sequences, plain and quoted scalars, also folded onto several
 * lines, literal block scalars, flow collections, also wrapped over several lines, comments). It reads exactly the
 * structure the reference (`yaml`) accepts and refuses everything else rather than guessing; plain scalars resolve
 * through the reference's own tags (yaml-schema.ts).
 *
 * Three outcomes: the document's value; `complex` when the structure is plain but some scalars need a complete
 * YAML parser (folded and keep-chomped block scalars, folds with empty lines or escaped line breaks), which
 * `js-yaml` then reads; or `refused` with the reason, when only the reference parser may read the document. The
 * chunk has passed the character checks of yaml-fast.ts (no tabs, control characters, merge or complex keys);
 * node properties (anchors, aliases, tags) are refused here, as no node may start with `&`, `*` or `!`.
 */

export type SimpleParse =
  | { kind: 'value'; value: unknown }
  | { kind: 'complex' }
  | { kind: 'refused'; reason: string };

/**
 * Where a node is, as the reference's line lookup (source-lines.ts) sees it: `at` is the offset of a mapping key
 * (for a pair's value) or of a sequence item (or the document's root); `children` are those of a collection, block
 * or flow (by key name as the reference compares them, `String(key.value)`, or by index). Scalars have none: a
 * path into them stops at their line, as it does in the reference.
 */
export interface NodePosition {
  readonly at: number;
  readonly children: Map<string, NodePosition> | NodePosition[] | undefined;
}

/** Thrown (not an Error: no stack to capture) to abandon the parse; caught in `parseSimple`. */
class Refused {
  constructor(readonly reason: string) {}
}

/** Implicit keys longer than this are an error for the reference (1024), and not for `js-yaml`. */
const MAX_IMPLICIT_KEY = 1000;
/** Deeper nesting is left to the reference (and keeps the stack of this recursive parser small). */
const MAX_DEPTH = 64;

const SPACE = 0x20;
const HASH = 0x23;
const DASH = 0x2d;
const DOT = 0x2e;
const COLON = 0x3a;
const COMMA = 0x2c;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const PIPE = 0x7c;
const GREATER = 0x3e;
const PLUS = 0x2b;

const isFlowIndicator = (c: number): boolean =>
  c === COMMA || c === OPEN_BRACKET || c === CLOSE_BRACKET || c === OPEN_BRACE || c === CLOSE_BRACE;

/**
 * Characters that cannot start a plain scalar here: YAML's indicators. A `-` may start one when a character that
 * is no space, flow indicator, `#` or `:` follows (`-1`, `--flag`); `?` and `:` never here, though YAML allows
 * them before some characters.
 */
function cannotStartPlain(text: string, at: number, lineEnd: number): boolean {
  const c = text.charCodeAt(at);
  if (c === DASH) {
    if (at + 1 === lineEnd) return true;
    const next = text.charCodeAt(at + 1);
    return next === SPACE || next === HASH || next === COLON || isFlowIndicator(next);
  }
  return '?:,[]{}#&*!|>\'"%@`'.includes(text[at] as string);
}

/** Parses the chunk `text[start, end)` (one document, `\n` line breaks only). */
export function parseSimple(text: string, start: number, end: number): SimpleParse {
  const parser = new BlockParser(text, start, end, false);
  try {
    return parser.parse();
  } catch (error) {
    if (error instanceof Refused) return { kind: 'refused', reason: error.reason };
    if (error instanceof FastPathUnsupported) return { kind: 'refused', reason: error.message };
    throw error;
  }
}

/**
 * The positions of the nodes of a chunk that `parseSimple` accepted (as a value or `complex`), found by parsing
 * it again and recording where each key and item is; undefined when the parser refuses it, or cannot name a key as
 * the reference's lookup does (then the caller asks the reference). Run once per document, when a line is asked.
 */
export function locateSimple(text: string, start: number, end: number): NodePosition | undefined {
  const parser = new BlockParser(text, start, end, true);
  try {
    return parser.locate();
  } catch (error) {
    if (error instanceof Refused || error instanceof FastPathUnsupported) return undefined;
    throw error;
  }
}

class BlockParser {
  readonly #text: string;
  readonly #end: number;
  /** The current line: where it starts and ends (at its `\n` or the chunk end), and where reading is on it. */
  #lineStart: number;
  #lineEnd: number;
  #at: number;
  /** Whether there is a current line (false past the last one). */
  #has = true;
  /** Whether a scalar was met that this parser does not decode (the value is then incomplete). */
  #complex = false;
  #depth = 0;
  /** Whether positions are recorded (`locateSimple`); then `#children` holds those of the node just read. */
  readonly #locating: boolean;
  #children: Map<string, NodePosition> | NodePosition[] | undefined;
  /** The column of the block node a flow collection is in (-1 at the top): its lines must be indented more. */
  #flowParent = -1;

  constructor(text: string, start: number, end: number, locating: boolean) {
    this.#text = text;
    this.#end = end;
    this.#locating = locating;
    this.#lineStart = start;
    this.#lineEnd = start;
    this.#at = start;
    this.#loadLine(start);
  }

  parse(): SimpleParse {
    this.#skipNeutralLines();
    if (!this.#has) return { kind: 'value', value: null };
    const value = this.#blockNode();
    if (this.#has) throw new Refused('more than one node at the top level');
    return this.#complex ? { kind: 'complex' } : { kind: 'value', value };
  }

  locate(): NodePosition | undefined {
    this.#skipNeutralLines();
    if (!this.#has) return undefined;
    const at = this.#at;
    this.#children = undefined;
    this.#blockNode();
    if (this.#has) throw new Refused('more than one node at the top level');
    return { at, children: this.#children };
  }

  // --- Lines -----------------------------------------------------------------------------------------------

  /** Makes the line starting at `start` current, skipping blank lines; reading starts at its first non-space. */
  #loadLine(start: number): void {
    const text = this.#text;
    let lineStart = start;
    while (lineStart < this.#end) {
      const newline = text.indexOf('\n', lineStart);
      const lineEnd = newline === -1 || newline > this.#end ? this.#end : newline;
      let at = lineStart;
      while (at < lineEnd && text.charCodeAt(at) === SPACE) at++;
      if (at < lineEnd) {
        this.#lineStart = lineStart;
        this.#lineEnd = lineEnd;
        this.#at = at;
        return;
      }
      lineStart = lineEnd + 1;
    }
    this.#has = false;
  }

  /** Moves to the next line that is not blank. */
  #advance(): void {
    this.#loadLine(this.#lineEnd + 1);
  }

  /** Skips comment lines and the chunk's `---` and `...` lines (what follows a marker was checked before). */
  #skipNeutralLines(): void {
    while (this.#has) {
      const text = this.#text;
      const first = text.charCodeAt(this.#at);
      if (first === HASH) {
        this.#advance();
        continue;
      }
      const marker = text.charCodeAt(this.#lineStart);
      if (
        (marker === DASH || marker === DOT) &&
        text.charCodeAt(this.#lineStart + 1) === marker &&
        text.charCodeAt(this.#lineStart + 2) === marker &&
        (this.#lineStart + 3 === this.#lineEnd || text.charCodeAt(this.#lineStart + 3) === SPACE)
      ) {
        this.#advance();
        continue;
      }
      return;
    }
  }

  /** Moves to the next line with content. */
  #nextLine(): void {
    this.#advance();
    this.#skipNeutralLines();
  }

  /** The column where reading is on the current line. */
  #column(): number {
    return this.#at - this.#lineStart;
  }

  #skipSpaces(): void {
    while (this.#at < this.#lineEnd && this.#text.charCodeAt(this.#at) === SPACE) this.#at++;
  }

  /** Whether the rest of the current line is empty or a comment (reading is past spaces). */
  #atLineEnd(): boolean {
    return (
      this.#at === this.#lineEnd ||
      (this.#text.charCodeAt(this.#at) === HASH && this.#text.charCodeAt(this.#at - 1) === SPACE)
    );
  }

  /** Whether a block sequence entry (`-` then a space or the end of the line) starts where reading is. */
  #atEntry(): boolean {
    return (
      this.#text.charCodeAt(this.#at) === DASH &&
      (this.#at + 1 === this.#lineEnd || this.#text.charCodeAt(this.#at + 1) === SPACE)
    );
  }

  #enter(): void {
    if (++this.#depth > MAX_DEPTH) throw new Refused('deep nesting');
  }

  // --- Block collections ----------------------------------------------------------------------------------------

  /** A block collection starting where reading is (more indented than its parent, which the caller checked). */
  #blockNode(parent?: number): unknown {
    const column = this.#column();
    if (this.#atEntry()) return this.#blockSequence(column);
    if (this.#keyEnd() !== -1) return this.#blockMapping(column);
    // A flow collection on its own line under a key or entry (`toYaml | nindent` prints `{}` so), or as the
    // document (the `yaml` package's flow style).
    const c = this.#text.charCodeAt(this.#at);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) return this.#inlineValue(parent ?? -1);
    throw new Refused('a scalar or flow collection on its own line');
  }

  #blockMapping(column: number): Record<string, unknown> {
    this.#enter();
    const map: Record<string, unknown> = {};
    const positions = this.#locating ? new Map<string, NodePosition>() : undefined;
    for (;;) {
      const keyAt = this.#at;
      const name = this.#key();
      this.#skipSpaces();
      this.#children = undefined;
      let value: unknown;
      if (this.#atLineEnd()) {
        this.#nextLine();
        if (this.#has && this.#column() > column) value = this.#blockNode(column);
        else if (this.#has && this.#column() === column && this.#atEntry())
          value = this.#blockSequence(column);
        else value = null;
      } else {
        value = this.#inlineValue(column);
      }
      // Locating re-reads a document already read: only where its keys and items are matters, not its values.
      if (!positions) addPair(map, name, value);
      else {
        // The reference's lookup takes the first key of a name (two keys can share one: `"null"` and `~`).
        const lookup = this.#lookupName(keyAt, name);
        if (!positions.has(lookup)) positions.set(lookup, { at: keyAt, children: this.#children });
      }
      if (!this.#has || this.#column() < column) break;
      if (this.#column() > column) throw new Refused('a line indented more than its mapping');
      if (this.#atEntry()) throw new Refused('a sequence entry among mapping keys');
    }
    this.#depth--;
    this.#children = positions;
    return map;
  }

  #blockSequence(column: number): unknown[] {
    this.#enter();
    const seq: unknown[] = [];
    const positions: NodePosition[] | undefined = this.#locating ? [] : undefined;
    for (;;) {
      this.#at++; // past the `-`
      this.#skipSpaces();
      this.#children = undefined;
      // Where the reference places the item: its node, or, for an empty one, the end of the entry's line.
      let itemAt = this.#at;
      if (this.#atLineEnd()) {
        itemAt = this.#lineEnd;
        this.#nextLine();
        if (this.#has && this.#column() > column) {
          itemAt = this.#at;
          seq.push(this.#blockNode(column));
        } else seq.push(null);
      } else if (this.#atEntry()) {
        seq.push(this.#blockSequence(this.#column()));
      } else if (this.#keyEnd() !== -1) {
        seq.push(this.#blockMapping(this.#column()));
      } else {
        seq.push(this.#inlineValue(column));
      }
      positions?.push({ at: itemAt, children: this.#children });
      if (!this.#has || this.#column() < column) break;
      if (this.#column() > column) throw new Refused('a line indented more than its sequence');
      if (!this.#atEntry()) break; // the next key of the mapping whose value this sequence is
    }
    this.#depth--;
    this.#children = positions;
    return seq;
  }

  // --- Keys ---------------------------------------------------------------------------------------------------------

  /**
   * Where the key starting where reading is ends (past its `:`), or -1 when there is no key: a single-line plain
   * or quoted scalar, then `:` followed by a space or the end of the line.
   */
  #keyEnd(): number {
    const text = this.#text;
    const lineEnd = this.#lineEnd;
    let at = this.#at;
    const c = text.charCodeAt(at);
    if (c === QUOTE || c === APOSTROPHE) {
      at = closeQuote(text, at, lineEnd);
      if (at === -1) return -1;
      while (at < lineEnd && text.charCodeAt(at) === SPACE) at++;
      return text.charCodeAt(at) === COLON && (at + 1 === lineEnd || text.charCodeAt(at + 1) === SPACE)
        ? at + 1
        : -1;
    }
    if (cannotStartPlain(text, at, lineEnd)) return -1;
    for (; at < lineEnd; at++) {
      const d = text.charCodeAt(at);
      if (d === COLON && (at + 1 === lineEnd || text.charCodeAt(at + 1) === SPACE)) return at + 1;
      if (d === HASH && text.charCodeAt(at - 1) === SPACE) return -1;
    }
    return -1;
  }

  /** Reads a key and its `:`; the property name the reference gives it. */
  #key(): string {
    const end = this.#keyEnd();
    if (end === -1) throw new Refused('a mapping entry that is not `key: value`');
    const start = this.#at;
    if (end - start > MAX_IMPLICIT_KEY) throw new Refused('an implicit key longer than 1000 characters');
    this.#at = end;
    const c = this.#text.charCodeAt(start);
    if (c === QUOTE || c === APOSTROPHE) {
      const close = closeQuote(this.#text, start, end);
      return this.#quotedValue(start, close);
    }
    let last = end - 1; // the `:`
    while (this.#text.charCodeAt(last - 1) === SPACE) last--;
    return plainKeyName(this.#text.slice(start, last));
  }

  /**
   * The name the reference's line lookup compares a key by, `String(key.value)`: the property name, except for a
   * plain key that resolves to null (`~`, `null`), which the lookup names "null". A double-quoted key with escapes
   * is named by its decoded value, like the property.
   */
  #lookupName(keyAt: number, name: string): string {
    if (name !== '') return name;
    const c = this.#text.charCodeAt(keyAt);
    return c === QUOTE || c === APOSTROPHE ? name : 'null';
  }

  // --- Values on the line ---------------------------------------------------------------------------------------

  /**
   * The value that starts where reading is (not a line end), under a key or entry at column `parent`. Leaves
   * reading on the next line with content.
   */
  #inlineValue(parent: number): unknown {
    const text = this.#text;
    const c = text.charCodeAt(this.#at);
    if (c === PIPE || c === GREATER) return this.#blockScalar(parent);
    let value: unknown;
    if (c === QUOTE || c === APOSTROPHE) {
      const close = closeQuote(text, this.#at, this.#lineEnd);
      if (close === -1) value = this.#multilineQuoted(parent);
      else {
        value = this.#quotedValue(this.#at, close);
        this.#at = close;
      }
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      this.#flowParent = parent;
      value = this.#flowNode();
    } else {
      return this.#plainValue(parent);
    }
    this.#skipSpaces();
    if (!this.#atLineEnd()) throw new Refused('text after a value');
    this.#nextLine();
    if (this.#has && this.#column() > parent)
      throw new Refused('a line indented more than the value above it');
    return value;
  }

  /**
   * A quoted scalar value that continues on other lines (writers fold long strings so). Its lines are checked (each
   * indented more than the parent, as the reference requires and `js-yaml` does not). The common folding is
   * decoded here: every line has text, the line breaks become spaces, the spaces around them go (and no line of a
   * double-quoted one ends with `\\`, an escaped line break or space). Other folds (empty lines, escaped breaks)
   * are left to `js-yaml`. Leaves reading past the closing quote, on the line that is then current.
   */
  #multilineQuoted(parent: number): string | undefined {
    const text = this.#text;
    const quote = text.charCodeAt(this.#at);
    let at = this.#at + 1;
    let segmentStart = at;
    const segments: string[] = [];
    let foldable = true;
    for (;;) {
      for (; at < this.#lineEnd; at++) {
        const c = text.charCodeAt(at);
        if (quote === QUOTE && c === BACKSLASH) at++;
        else if (c === quote) {
          if (quote === APOSTROPHE && text.charCodeAt(at + 1) === APOSTROPHE) at++;
          else break;
        }
      }
      if (at < this.#lineEnd) break; // the closing quote
      // Spaces before the line break go with it (they are not escaped: a line ending with `\\` is not folded here).
      let end = this.#lineEnd;
      while (end > segmentStart && text.charCodeAt(end - 1) === SPACE) end--;
      if (end === segmentStart || (quote === QUOTE && text.charCodeAt(end - 1) === BACKSLASH))
        foldable = false;
      segments.push(text.slice(segmentStart, end));
      const breakAt = this.#lineEnd;
      this.#advance();
      if (!this.#has) throw new Refused('an unclosed quoted scalar');
      if (this.#lineStart !== breakAt + 1) foldable = false; // empty lines (skipped) stand for line breaks
      if (this.#column() <= parent) throw new Refused('a quoted scalar continued without indentation');
      at = this.#at;
      segmentStart = at;
    }
    if (at === segmentStart) foldable = false;
    segments.push(text.slice(segmentStart, at));
    this.#at = at + 1;
    if (!foldable) {
      this.#complex = true;
      return undefined;
    }
    if (this.#locating) return undefined;
    const content = segments.join(' ');
    if (quote === APOSTROPHE) return content.includes("'") ? content.replace(/''/g, "'") : content;
    return content.includes('\\') ? unescapeDoubleQuoted(content) : content;
  }

  /** A plain scalar value, and the lines that continue it (then the value is left to `js-yaml`). */
  #plainValue(parent: number): unknown {
    const text = this.#text;
    const start = this.#at;
    if (cannotStartPlain(text, start, this.#lineEnd))
      throw new Refused('a plain scalar starting with an indicator');
    let end = start;
    for (; end < this.#lineEnd; end++) {
      const d = text.charCodeAt(end);
      if (d === COLON && (end + 1 === this.#lineEnd || text.charCodeAt(end + 1) === SPACE)) {
        throw new Refused('a key where a value is expected');
      }
      if (d === HASH && text.charCodeAt(end - 1) === SPACE) break;
    }
    const commented = end < this.#lineEnd;
    while (text.charCodeAt(end - 1) === SPACE) end--;
    // Lines indented more than the parent continue the scalar, unless a comment ended it. Folded as the reference
    // folds them when each continues the one before (no empty line between) and starts as a plain scalar may:
    // joined by spaces, then resolved; other continuations are left to `js-yaml`.
    let source = text.slice(start, end);
    let foldable = true;
    let breakAt = this.#lineEnd;
    this.#advance();
    while (this.#has && this.#column() > parent) {
      if (commented || text.charCodeAt(this.#at) === HASH)
        throw new Refused('a comment within a plain scalar');
      let lineEnd = this.#lineEnd;
      for (let at = this.#at; at < lineEnd; at++) {
        const d = text.charCodeAt(at);
        if (d === COLON && (at + 1 === lineEnd || text.charCodeAt(at + 1) === SPACE)) {
          throw new Refused('a key in the continuation of a plain scalar');
        }
        if (d === HASH && text.charCodeAt(at - 1) === SPACE)
          throw new Refused('a comment within a plain scalar');
      }
      if (this.#lineStart !== breakAt + 1 || cannotStartPlain(text, this.#at, lineEnd)) foldable = false;
      while (text.charCodeAt(lineEnd - 1) === SPACE) lineEnd--;
      if (foldable && !this.#locating) source += ` ${text.slice(this.#at, lineEnd)}`;
      breakAt = this.#lineEnd;
      this.#advance();
    }
    if (!foldable) this.#complex = true;
    const value = this.#locating || !foldable ? null : resolvePlainScalar(source);
    this.#skipNeutralLines();
    return value;
  }

  /**
   * A block scalar (`|` or `>`, optionally `-` or `+`). Literal scalars (`|`, `|-`: what kubectl and go-yaml print
   * for multi-line strings, such as the last-applied-configuration annotation) are decoded here; folded and
   * keep-chomped ones are skipped and left to `js-yaml` (the document is then `complex`).
   */
  #blockScalar(parent: number): unknown {
    const text = this.#text;
    let at = this.#at + 1;
    const literal = text.charCodeAt(this.#at) === PIPE;
    const chomp = text.charCodeAt(at);
    if (chomp === DASH || chomp === PLUS) at++;
    const header = at;
    while (at < this.#lineEnd && text.charCodeAt(at) === SPACE) at++;
    if (at < this.#lineEnd && !(text.charCodeAt(at) === HASH && at > header)) {
      // Indentation indicators included: the reference reads some of those differently from js-yaml.
      throw new Refused('a block scalar header with more than a chomping indicator');
    }
    if (parent < 0) throw new Refused('a block scalar as the document');
    // The content: the lines indented more than the parent, and blank lines. Lines of spaces only that are longer
    // than the content's indentation are refused: the reference rejects some (leading ones) that js-yaml reads.
    let contentIndent = -1;
    let longestBlank = -1;
    /** Content lines less indented than the first: an error for the reference, left to it. */
    let lessIndented = false;
    /** Where the content starts, and where its last line that is not blank ends. */
    const contentStart = this.#lineEnd + 1;
    let contentEnd = -1;
    let lineStart = contentStart;
    while (lineStart < this.#end) {
      const newline = text.indexOf('\n', lineStart);
      const lineEnd = newline === -1 || newline > this.#end ? this.#end : newline;
      let first = lineStart;
      while (first < lineEnd && text.charCodeAt(first) === SPACE) first++;
      const indent = first - lineStart;
      if (first === lineEnd) longestBlank = Math.max(longestBlank, indent);
      else if (indent <= parent) break;
      else {
        if (contentIndent === -1) contentIndent = indent;
        else if (indent < contentIndent) lessIndented = true;
        contentEnd = lineEnd;
      }
      lineStart = lineEnd + 1;
    }
    if (longestBlank > (contentIndent === -1 ? parent : contentIndent)) {
      throw new Refused('a block scalar with a blank line longer than its indentation');
    }
    this.#loadLine(lineStart);
    this.#skipNeutralLines();
    if (this.#locating) return undefined;
    if (!literal || chomp === PLUS || contentEnd === -1 || lessIndented) {
      this.#complex = true;
      return undefined;
    }
    // Each line loses the content's indentation (blank lines are at most that long: they become empty); lines
    // are joined by `\n`; clipping keeps one final line break, stripping none.
    const content = text.slice(contentStart, contentEnd);
    const lines = content.split('\n');
    for (let i = 0; i < lines.length; i++) lines[i] = (lines[i] as string).slice(contentIndent);
    const value = lines.join('\n');
    return chomp === DASH ? value : `${value}\n`;
  }

  /** A quoted scalar's value (on one line). */
  #quotedValue(start: number, close: number): string {
    const text = this.#text;
    const content = text.slice(start + 1, close - 1);
    if (text.charCodeAt(start) === APOSTROPHE)
      return content.includes("'") ? content.replace(/''/g, "'") : content;
    return content.includes('\\') ? unescapeDoubleQuoted(content) : content;
  }

  // --- Flow collections ---------------------------------------------------------------------------------------

  /**
   * Skips spaces, line breaks and comments between the tokens of a flow collection, as writers wrap long ones.
   * Every line must be indented more than the block node the collection is in (less is an error for the
   * reference; a closing bracket at that indentation, which it accepts, is refused here as well).
   */
  #flowSpace(): void {
    const text = this.#text;
    for (;;) {
      this.#skipSpaces();
      if (!this.#atLineEnd()) return;
      this.#advance();
      if (!this.#has) throw new Refused('an unclosed flow collection');
      if (this.#column() <= this.#flowParent) throw new Refused('a flow collection line not indented enough');
      const marker = text.charCodeAt(this.#lineStart);
      if (
        (marker === DASH || marker === DOT) &&
        text.charCodeAt(this.#lineStart + 1) === marker &&
        text.charCodeAt(this.#lineStart + 2) === marker
      ) {
        throw new Refused('a document marker in a flow collection');
      }
      // A comment starts a line here (`#` after the line's indentation): skipped by the next round.
    }
  }

  /** A flow node where reading is (past spaces): a collection, a quoted or a plain scalar. */
  #flowNode(): unknown {
    const text = this.#text;
    const c = text.charCodeAt(this.#at);
    if (c === OPEN_BRACKET) return this.#flowSequence();
    if (c === OPEN_BRACE) return this.#flowMapping();
    this.#children = undefined;
    if (c === QUOTE || c === APOSTROPHE) {
      const close = closeQuote(text, this.#at, this.#lineEnd);
      if (close !== -1) {
        const value = this.#quotedValue(this.#at, close);
        this.#at = close;
        return value;
      }
      // Folded over lines (the `yaml` package wraps long strings so); other folds are left to the reference.
      const complex = this.#complex;
      const value = this.#multilineQuoted(this.#flowParent);
      if (this.#complex && !complex) throw new Refused('a quoted scalar in a flow collection folded subtly');
      return value;
    }
    const plain = this.#flowPlainFolded();
    return this.#locating ? null : resolvePlainScalar(plain);
  }

  /**
   * A plain scalar value in a flow collection, with the lines that continue it (the `yaml` package wraps long
   * ones so): folded as the reference folds them, joined by a space, when each continuation line follows the one
   * before (no empty line), starts as a plain scalar may and ends the scalar or continues it to its end. Anything
   * else in a continuation (comments, indicators, empty lines) is left to the reference.
   */
  #flowPlainFolded(): string {
    const text = this.#text;
    let source = this.#flowPlain();
    while (this.#at === this.#lineEnd) {
      const breakAt = this.#lineEnd;
      this.#advance();
      if (!this.#has) throw new Refused('an unclosed flow collection');
      if (this.#column() <= this.#flowParent) throw new Refused('a flow collection line not indented enough');
      const c = text.charCodeAt(this.#at);
      if (c === COMMA || c === CLOSE_BRACKET || c === CLOSE_BRACE) break; // the scalar ends at its line
      if (this.#lineStart !== breakAt + 1) throw new Refused('a plain scalar folded over an empty line');
      if (cannotStartPlain(text, this.#at, this.#lineEnd))
        throw new Refused('a plain scalar continued with an indicator in a flow collection');
      const more = this.#flowPlain();
      if (text.charCodeAt(this.#at) === HASH) throw new Refused('a comment after a folded plain scalar');
      source += ` ${more}`;
    }
    return source;
  }

  /**
   * The source of a plain scalar's part on the current line in a flow collection: up to a flow indicator, `: `,
   * `:` before one, or ` #` (a key's whole source: implicit keys do not span lines).
   */
  #flowPlain(): string {
    const text = this.#text;
    const lineEnd = this.#lineEnd;
    const start = this.#at;
    if (start === lineEnd) throw new Refused('a flow entry missing');
    if (cannotStartPlain(text, start, lineEnd))
      throw new Refused('an empty entry or an indicator in a flow collection');
    let end = start;
    for (; end < lineEnd; end++) {
      const d = text.charCodeAt(end);
      if (isFlowIndicator(d)) break;
      if (d === COLON) {
        const after = end + 1 === lineEnd ? SPACE : text.charCodeAt(end + 1);
        if (after === SPACE || isFlowIndicator(after)) break;
      }
      if (d === HASH && text.charCodeAt(end - 1) === SPACE) break;
    }
    this.#at = end;
    while (text.charCodeAt(end - 1) === SPACE) end--;
    return text.slice(start, end);
  }

  /** Past the entry just read: whether a `,` (then past spaces and line breaks) or the closing `close` follows. */
  #flowSeparator(close: number): boolean {
    this.#flowSpace();
    const c = this.#text.charCodeAt(this.#at);
    this.#at++;
    if (c === close) return false;
    if (c !== COMMA) throw new Refused('a flow collection entry followed by something else than `,`');
    this.#flowSpace();
    return true;
  }

  #flowSequence(): unknown[] {
    this.#enter();
    const text = this.#text;
    const seq: unknown[] = [];
    const positions: NodePosition[] | undefined = this.#locating ? [] : undefined;
    this.#at++;
    this.#flowSpace();
    if (text.charCodeAt(this.#at) === CLOSE_BRACKET) this.#at++;
    else {
      do {
        const itemAt = this.#at;
        seq.push(this.#flowNode());
        positions?.push({ at: itemAt, children: this.#children });
      } while (this.#flowSeparator(CLOSE_BRACKET));
    }
    this.#depth--;
    this.#children = positions;
    return seq;
  }

  #flowMapping(): Record<string, unknown> {
    this.#enter();
    const text = this.#text;
    const map: Record<string, unknown> = {};
    const positions = this.#locating ? new Map<string, NodePosition>() : undefined;
    this.#at++;
    this.#flowSpace();
    if (text.charCodeAt(this.#at) === CLOSE_BRACE) this.#at++;
    else {
      do {
        const keyAt = this.#at;
        let name: string;
        const c = text.charCodeAt(keyAt);
        if (c === QUOTE || c === APOSTROPHE) {
          const close = closeQuote(text, keyAt, this.#lineEnd);
          if (close === -1) throw new Refused('a quoted scalar that continues on another line');
          name = this.#quotedValue(keyAt, close);
          this.#at = close;
        } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
          throw new Refused('a collection as a key');
        } else {
          name = plainKeyName(this.#flowPlain());
        }
        if (this.#at - keyAt > MAX_IMPLICIT_KEY)
          throw new Refused('an implicit key longer than 1000 characters');
        // The key and its `:` on one line (implicit keys do not span lines), a space or the line's end after it.
        this.#skipSpaces();
        const after = text.charCodeAt(this.#at + 1);
        if (text.charCodeAt(this.#at) !== COLON || (this.#at + 1 < this.#lineEnd && after !== SPACE)) {
          throw new Refused('a flow mapping entry that is not `key: value`');
        }
        this.#at++;
        this.#flowSpace();
        const value = this.#flowNode();
        if (!positions) addPair(map, name, value);
        else {
          const lookup = this.#lookupName(keyAt, name);
          if (!positions.has(lookup)) positions.set(lookup, { at: keyAt, children: this.#children });
        }
      } while (this.#flowSeparator(CLOSE_BRACE));
    }
    this.#depth--;
    this.#children = positions;
    return map;
  }
}

/** Adds a pair as the reference does, refusing what only it decides on (duplicates, a `__proto__` key). */
function addPair(map: Record<string, unknown>, name: string, value: unknown): void {
  if (name === '__proto__' || Object.hasOwn(map, name)) throw new Refused('a duplicate or special key');
  map[name] = value;
}

/** What YAML's one-character escapes in double-quoted scalars stand for. */
const ESCAPES: Readonly<Record<string, string>> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029',
};

/**
 * The value of a double-quoted scalar's content (one line) with escapes. `\\x` and `\\u` are decoded when they
 * name a character that is no surrogate; `\\U`, a tab after `\\` and anything else are refused (left to the
 * reference, which reports the invalid ones).
 */
function unescapeDoubleQuoted(content: string): string {
  let value = '';
  let from = 0;
  for (let at = content.indexOf('\\'); at !== -1; at = content.indexOf('\\', from)) {
    value += content.slice(from, at);
    const code = content[at + 1] ?? '';
    const simple = ESCAPES[code];
    if (simple !== undefined) {
      value += simple;
      from = at + 2;
      continue;
    }
    const digits = code === 'x' ? 2 : code === 'u' ? 4 : 0;
    const hex = content.slice(at + 2, at + 2 + digits);
    if (digits === 0 || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) {
      throw new Refused('an escape in a double-quoted scalar that is left to the reference');
    }
    const char = Number.parseInt(hex, 16);
    if (char >= 0xd800 && char <= 0xdfff) throw new Refused('a surrogate escape');
    value += String.fromCharCode(char);
    from = at + 2 + digits;
  }
  return value + content.slice(from);
}

/** Offset just past the quoted scalar at `at`, or -1 when it does not end on this line. */
function closeQuote(text: string, at: number, lineEnd: number): number {
  const quote = text.charCodeAt(at);
  for (let i = at + 1; i < lineEnd; i++) {
    const c = text.charCodeAt(i);
    if (quote === QUOTE && c === BACKSLASH) i++;
    else if (c === quote) {
      if (quote === APOSTROPHE && i + 1 < lineEnd && text.charCodeAt(i + 1) === APOSTROPHE) i++;
      else return i + 1;
    }
  }
  return -1;
}
