import { type Document, isAlias, isMap, isScalar, isSeq, type Node } from 'yaml';
import type { Path } from './compile.js';
import type { FastParser, YamlChunk } from './yaml-fast.js';
import { composeYaml } from './yaml-reference.js';
import { locateSimple, type NodePosition } from './yaml-simple.js';

/**
 * Where things are in manifest text: lines and columns of offsets, and the line of a field (a path from a
 * document's root) in a YAML or JSON document, found only when asked for.
 */

/** The lines of the fields of one document. */
export interface DocumentLines {
  lineOf(path: Path): number | undefined;
}

/**
 * Lines and columns of offsets in a text. Lines are counted by `\n` (as kubectl splits a stream and as editors
 * number lines), not by the reference parser's lexer, which misses a line break in some odd documents. Columns are
 * 1-based UTF-16 code units (SARIF's default column kind).
 */
export class LineTable {
  readonly #text: string;
  #starts: number[] | undefined;

  constructor(text: string) {
    this.#text = text;
  }

  lineAt(offset: number): number {
    const starts = this.#lineStarts();
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] as number) <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  }

  positionAt(offset: number): { line: number; column: number } {
    const line = this.lineAt(offset);
    return { line, column: offset - (this.#lineStarts()[line - 1] as number) + 1 };
  }

  #lineStarts(): number[] {
    if (!this.#starts) {
      const starts = [0];
      const text = this.#text;
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.#starts = starts;
    }
    return this.#starts;
  }
}

/** Where a text parsed by the reference parser sits in its file. */
export interface YamlPlacement {
  file: string;
  /** Offset of the parsed text in the file's text. */
  offset: number;
  /** Lines of the file's text. */
  lines: LineTable;
}

/** Lines of the fields of one document parsed by the reference parser. */
export class YamlDocumentLines {
  readonly #doc: Document.Parsed;
  readonly #placement: YamlPlacement;

  constructor(doc: Document.Parsed, placement: YamlPlacement) {
    this.#doc = doc;
    this.#placement = placement;
  }

  lineOf(path: Path): number | undefined {
    const root = this.#doc.contents;
    if (!root) return undefined;
    let offset = root.range[0];
    let node: unknown = root;
    for (const key of path) {
      const found = childOf(this.#doc, node, key);
      if (!found) break;
      node = found.node;
      offset = found.offset;
    }
    return this.#placement.lines.lineAt(this.#placement.offset + offset);
  }
}

/**
 * The positions of the document located last. Callers ask for the lines of one resource's findings together, so
 * one entry saves nearly every repeated scan, while keeping positions for every document (a map per mapping) would
 * hold memory in proportion to all the resources a run keeps; a document asked again later is scanned again.
 */
let lastLocated: { owner: ChunkLines; lines: DocumentLines | null } | undefined;

/**
 * Lines of a document read by the fast path, which keeps no positions: when a line is asked for, the document's
 * text is scanned again to find them — by the JSON scanner for a document `JSON.parse` read, by the
 * block-structure parser in its locating mode (yaml-simple.ts) for the others — and only where neither can locate
 * (documents the block-structure parser refuses, which only the bench's `js-yaml` reading gives), by the reference
 * parser. The differential test checks that all three give the reference's lines. It holds the file's text (one
 * string shared by all the documents of the file, never a copy) and its line table.
 */
export class ChunkLines {
  readonly #text: string;
  readonly #chunk: YamlChunk;
  readonly #lines: LineTable;
  readonly #parser: FastParser;

  constructor(text: string, chunk: YamlChunk, lines: LineTable, parser: FastParser) {
    this.#text = text;
    this.#chunk = chunk;
    this.#lines = lines;
    this.#parser = parser;
  }

  lineOf(path: Path): number | undefined {
    if (lastLocated?.owner !== this) lastLocated = { owner: this, lines: this.#locate() };
    return lastLocated.lines?.lineOf(path);
  }

  #locate(): DocumentLines | null {
    const chunk = this.#chunk;
    if (this.#parser === 'json') return new JsonDocumentLines(this.#text, this.#lines, chunk.contentStart);
    const root = locateSimple(this.#text, chunk.start, chunk.end);
    if (root) return new PositionLines(root, this.#lines);
    const [doc] = composeYaml(this.#text.slice(chunk.start, chunk.end));
    const placement = { file: '', offset: chunk.start, lines: this.#lines };
    return doc ? new YamlDocumentLines(doc, placement) : null;
  }
}

/** Lines from the positions the block-structure parser recorded, looked up as `YamlDocumentLines` looks them up. */
class PositionLines {
  readonly #root: NodePosition;
  readonly #lines: LineTable;

  constructor(root: NodePosition, lines: LineTable) {
    this.#root = root;
    this.#lines = lines;
  }

  lineOf(path: Path): number | undefined {
    let node = this.#root;
    for (const key of path) {
      const children = node.children;
      let child: NodePosition | undefined;
      if (Array.isArray(children)) child = typeof key === 'number' ? children[key] : undefined;
      else child = children?.get(String(key));
      if (!child) break;
      node = child;
    }
    return this.#lines.lineAt(node.at);
  }
}

const MAX_MERGE_DEPTH = 8;

/** A child node of a map (by key) or sequence (by index), with the offset of its key or item. */
function childOf(
  doc: Document.Parsed,
  parent: unknown,
  key: string | number,
  depth = 0,
): { node: unknown; offset: number } | undefined {
  const node = isAlias(parent) ? parent.resolve(doc) : parent;
  if (isSeq(node)) {
    const item = typeof key === 'number' ? node.items[key] : undefined;
    const range = (item as Node | undefined)?.range;
    return range ? { node: item, offset: range[0] } : undefined;
  }
  if (!isMap(node)) return undefined;
  const merges: unknown[] = [];
  for (const pair of node.items) {
    const pairKey = pair.key;
    if (!isScalar(pairKey)) continue;
    if (String(pairKey.value) === String(key) && pairKey.range)
      return { node: pair.value, offset: pairKey.range[0] };
    if (typeof pairKey.value === 'symbol') merges.push(pair.value); // a YAML 1.1 merge key
  }
  // Keys brought in by merge keys (`<<: *defaults`): the line is where the merged map defines them.
  if (depth >= MAX_MERGE_DEPTH) return undefined;
  for (const merge of merges) {
    const sources = isSeq(merge) ? merge.items : [merge];
    for (const source of sources) {
      const found = childOf(doc, source, key, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Lines of the fields of a JSON document, found by scanning the text (already validated by JSON.parse) only when a
 * line is asked for. Array element offsets are remembered, so the items of a large List cost one scan in total.
 */
export class JsonDocumentLines {
  readonly #text: string;
  readonly #lines: LineTable;
  /** Element offsets of the arrays scanned so far, by the array's offset. */
  readonly #elements = new Map<number, number[]>();
  /** Where the JSON value starts in the text (a document of a YAML stream, or 0). */
  readonly #start: number;

  constructor(text: string, lines: LineTable, start = 0) {
    this.#text = text;
    this.#lines = lines;
    this.#start = start;
  }

  lineOf(path: Path): number | undefined {
    let offset = this.#skipSpace(this.#start);
    let reported = offset;
    for (const key of path) {
      const found = this.#childOf(offset, key);
      if (!found) break;
      reported = found.reported;
      offset = found.value;
    }
    return this.#lines.lineAt(reported);
  }

  /** The child at `key` of the value at `offset`: where its value starts, and where to report it (its key). */
  #childOf(offset: number, key: string | number): { value: number; reported: number } | undefined {
    const text = this.#text;
    if (text[offset] === '[') {
      if (typeof key !== 'number') return undefined;
      const element = this.#arrayElements(offset)[key];
      return element === undefined ? undefined : { value: element, reported: element };
    }
    if (text[offset] !== '{') return undefined;
    let at = this.#skipSpace(offset + 1);
    while (text[at] === '"') {
      const keyEnd = this.#skipString(at);
      const raw = text.slice(at + 1, keyEnd - 1);
      const name = raw.includes('\\') ? (JSON.parse(text.slice(at, keyEnd)) as string) : raw;
      const value = this.#skipSpace(this.#skipSpace(keyEnd) + 1); // past the ':'
      if (name === String(key)) return { value, reported: at };
      at = this.#skipSpace(this.#skipValue(value));
      if (text[at] === ',') at = this.#skipSpace(at + 1);
    }
    return undefined;
  }

  #arrayElements(offset: number): number[] {
    let elements = this.#elements.get(offset);
    if (elements) return elements;
    elements = [];
    const text = this.#text;
    let at = this.#skipSpace(offset + 1);
    while (at < text.length && text[at] !== ']') {
      elements.push(at);
      at = this.#skipSpace(this.#skipValue(at));
      if (text[at] === ',') at = this.#skipSpace(at + 1);
    }
    this.#elements.set(offset, elements);
    return elements;
  }

  #skipSpace(offset: number): number {
    const text = this.#text;
    let at = offset;
    while (
      at < text.length &&
      (text[at] === ' ' || text[at] === '\n' || text[at] === '\r' || text[at] === '\t')
    )
      at++;
    return at;
  }

  /** The offset just past the string starting at `offset`. */
  #skipString(offset: number): number {
    const text = this.#text;
    let at = offset + 1;
    while (at < text.length) {
      const c = text[at];
      if (c === '\\') at += 2;
      else if (c === '"') return at + 1;
      else at++;
    }
    return at;
  }

  /** The offset just past the value starting at `offset`. */
  #skipValue(offset: number): number {
    const text = this.#text;
    const first = text[offset];
    if (first === '"') return this.#skipString(offset);
    if (first !== '{' && first !== '[') {
      let at = offset;
      while (at < text.length && !',}] \n\r\t'.includes(text[at] as string)) at++;
      return at;
    }
    let depth = 0;
    let at = offset;
    while (at < text.length) {
      const c = text[at];
      if (c === '"') {
        at = this.#skipString(at);
        continue;
      }
      if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return at + 1;
      }
      at++;
    }
    return at;
  }
}
