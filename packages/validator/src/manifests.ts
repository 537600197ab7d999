import { isUtf8 } from 'node:buffer';
import { createReadStream, type Dirent, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { yamlOptions } from '@palisade/yaml';
import {
  Composer,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Node,
  Parser,
  visit,
  type YAMLError,
} from 'yaml';
import type { Path } from './compile.js';
import { loadFast, splitYamlDocuments, textIneligibility, type YamlChunk } from './yaml-fast.js';

/**
 * Loads Kubernetes manifests from files, directories and standard input. Bad input never stops a load: each
 * problem becomes an `InputError` beside the resources, and everything else is still loaded.
 */

/** The path that names standard input. */
export const STDIN_PATH = '-';
/** How standard input is named in results and errors. */
export const STDIN_NAME = '<stdin>';
export const DEFAULT_MAX_FILE_SIZE = 64 * 1024 * 1024;
/** An alias may expand to at most this many nodes (guards against "billion laughs" documents). */
export const DEFAULT_MAX_ALIAS_COUNT = 100;

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
/** Files with a NUL character in this many leading bytes (or UTF-16 code units) are binary. */
const BINARY_SNIFF_LENGTH = 8192;
const BINARY = 'binary file (it contains a NUL byte)';

/** One resource read from a manifest, with where it came from. */
export interface ManifestResource {
  readonly object: Record<string, unknown>;
  readonly apiVersion: string;
  readonly kind: string;
  readonly file: string;
  /** 1-based index of the YAML document in its file (1 for JSON). */
  readonly document: number;
  /** Line where the resource starts. */
  readonly line: number;
  /** The line of a field (a path from the resource root), or of its nearest ancestor present in the source. */
  lineOf(path: Path): number;
}

/** Input that could not be loaded: a file, or one document of it. */
export interface InputError {
  file: string;
  /** 1-based index of the YAML document in its file (1 for JSON). */
  document?: number;
  /** 1-based line of the problem itself (for a syntax error, where it is, not where its document starts). */
  line?: number;
  /** 1-based column (in UTF-16 code units) of the problem on its line, when known. */
  column?: number;
  message: string;
}

export interface LoadedManifests {
  resources: ManifestResource[];
  errors: InputError[];
}

export interface ParseOptions {
  /** @default DEFAULT_MAX_ALIAS_COUNT */
  maxAliasCount?: number;
}

export interface LoadOptions extends ParseOptions {
  /** Files (and standard input) larger than this many bytes are input errors. @default DEFAULT_MAX_FILE_SIZE */
  maxFileSize?: number;
  /** Where `-` reads from. Without it, `-` is an input error. */
  stdin?: AsyncIterable<string | Uint8Array>;
  /** Called after each file is loaded, with how many of `total` are done. */
  onProgress?: (done: number, total: number) => void;
}

export interface ManifestFiles {
  /** Files to load, in order: named files as given, directory contents sorted; `-` stands for standard input. */
  files: string[];
  errors: InputError[];
}

// ---------------------------------------------------------------------------------------------------------------
// Finding files

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENOTDIR':
      return 'not a directory';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Expands paths into the files to load: explicitly named files whatever their extension, directories recursively
 * (only .yaml, .yml and .json files, sorted by name), `-` for standard input. Duplicates are loaded once.
 */
export function findManifestFiles(paths: readonly string[]): ManifestFiles {
  const files: string[] = [];
  const errors: InputError[] = [];
  const seen = new Set<string>();
  const add = (file: string): void => {
    const key = file === STDIN_PATH ? file : resolve(file);
    if (seen.has(key)) return;
    seen.add(key);
    files.push(file);
  };
  const visitedDirectories = new Set<string>();
  const walk = (directory: string): void => {
    let real: string;
    let entries: Dirent[];
    try {
      real = realpathSync(directory);
      if (visitedDirectories.has(real)) return;
      visitedDirectories.add(real);
      entries = readdirSync(directory, { withFileTypes: true });
    } catch (error) {
      errors.push({ file: directory, message: `cannot read directory: ${describeFsError(error)}` });
      return;
    }
    entries.sort((a, b) => byCodeUnits(a.name, b.name));
    for (const entry of entries) {
      const path = join(directory, entry.name);
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        try {
          const target = statSync(path);
          isDirectory = target.isDirectory();
          isFile = target.isFile();
        } catch (error) {
          errors.push({ file: path, message: `cannot read: ${describeFsError(error)}` });
          continue;
        }
      }
      if (isDirectory) walk(path);
      else if (isFile && MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase())) add(path);
    }
  };
  for (const path of paths) {
    if (path === STDIN_PATH) {
      add(path);
      continue;
    }
    try {
      if (statSync(path).isDirectory()) walk(path);
      else add(path);
    } catch (error) {
      errors.push({ file: path, message: `cannot read: ${describeFsError(error)}` });
    }
  }
  return { files, errors };
}

// ---------------------------------------------------------------------------------------------------------------
// Reading files

class InputTooLargeError extends Error {}

async function readLimited(chunks: AsyncIterable<string | Uint8Array>, maxBytes: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    const part =
      typeof chunk === 'string'
        ? Buffer.from(chunk)
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    size += part.length;
    if (size > maxBytes) throw new InputTooLargeError();
    parts.push(part);
  }
  return Buffer.concat(parts, size);
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** The bytes of a file or of standard input, or the reason they cannot be loaded. */
async function readSource(file: string, options: LoadOptions): Promise<Buffer | string> {
  const maxBytes = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const tooLarge = `file is larger than the ${formatSize(maxBytes)} limit`;
  try {
    if (file === STDIN_PATH) {
      if (!options.stdin) return 'standard input is not available';
      return await readLimited(options.stdin, maxBytes);
    }
    const stats = statSync(file);
    if (stats.isDirectory()) return 'is a directory';
    if (stats.isFile()) {
      if (stats.size > maxBytes) return tooLarge;
      return readFileSync(file);
    }
    // Pipes and devices (e.g. process substitution): their size is only known by reading.
    return await readLimited(createReadStream(file), maxBytes);
  } catch (error) {
    if (error instanceof InputTooLargeError) return tooLarge;
    return `cannot read: ${describeFsError(error)}`;
  }
}

/** Manifest text decoded from a file's bytes, or why it cannot be. */
export type DecodedText = { text: string; encoding: TextEncoding } | { error: string };
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** The line (1-based, counting `\n`) of a code unit offset in text. */
function lineOfIndex(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** The offset of the first byte that is not part of a well-formed UTF-8 sequence (RFC 3629). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let at = 0; at < bytes.length; ) {
    const first = bytes[at] as number;
    if (first < 0x80) {
      at++;
      continue;
    }
    // The length of the sequence and the range of its second byte (which rules out overlongs and surrogates).
    let size: number;
    let low = 0x80;
    let high = 0xbf;
    if (first >= 0xc2 && first <= 0xdf) size = 2;
    else if (first >= 0xe0 && first <= 0xef) {
      size = 3;
      if (first === 0xe0) low = 0xa0;
      if (first === 0xed) high = 0x9f;
    } else if (first >= 0xf0 && first <= 0xf4) {
      size = 4;
      if (first === 0xf0) low = 0x90;
      if (first === 0xf4) high = 0x8f;
    } else return at;
    for (let i = 1; i < size; i++) {
      const next = bytes[at + i];
      if (next === undefined || next < (i === 1 ? low : 0x80) || next > (i === 1 ? high : 0xbf)) return at;
    }
    at += size;
  }
  return -1;
}

/** The line of a byte offset in UTF-8 (or ASCII-compatible) bytes. */
function lineOfByte(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** An unpaired surrogate (the expression works on UTF-16 code units: no `u` flag). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Decodes a manifest's bytes as kubectl does (its file reader is `unicode.BOMOverride(unicode.UTF8.NewDecoder())`
 * from golang.org/x/text): UTF-16 LE or BE when the bytes start with that byte order mark, else UTF-8, without its
 * byte order mark if it has one. A NUL character near the start makes the file binary. No other encoding is recognised (kubectl reads neither UTF-32 nor UTF-16 without
 * a byte order mark). Where kubectl silently replaces an invalid byte sequence by U+FFFD, this fails instead: a
 * replaced character could change a value a policy checks, so the input is an error naming the line.
 */
export function decodeManifestBytes(bytes: Uint8Array): DecodedText {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf32 =
    (buffer[0] === 0xff && buffer[1] === 0xfe && buffer[2] === 0 && buffer[3] === 0) ||
    (buffer[0] === 0 && buffer[1] === 0 && buffer[2] === 0xfe && buffer[3] === 0xff);
  if (utf32)
    return { error: 'UTF-32 is not supported (kubectl reads UTF-8 and UTF-16): save the file as UTF-8' };
  const utf16 =
    buffer[0] === 0xff && buffer[1] === 0xfe
      ? 'utf-16le'
      : buffer[0] === 0xfe && buffer[1] === 0xff
        ? 'utf-16be'
        : undefined;
  if (utf16) {
    if (buffer.length % 2 !== 0) return { error: `invalid ${utf16.toUpperCase()}: an odd number of bytes` };
    let units = buffer.subarray(2);
    if (utf16 === 'utf-16be') units = Buffer.from(units).swap16(); // a copy: the caller's bytes stay as they are
    const text = units.toString('utf16le');
    const lone = LONE_SURROGATE.exec(text);
    if (lone) {
      return {
        error: `invalid ${utf16.toUpperCase()} at line ${lineOfIndex(text, lone.index)}: an unpaired surrogate`,
      };
    }
    if (text.slice(0, BINARY_SNIFF_LENGTH).includes('\u0000')) return { error: BINARY };
    return { text, encoding: utf16 };
  }
  const start = buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
  const body = buffer.subarray(start);
  if (body.subarray(0, BINARY_SNIFF_LENGTH).includes(0)) {
    // UTF-16 text without a byte order mark has a NUL byte beside every ASCII character.
    const utf16 = (body[0] === 0) !== (body[1] === 0);
    return { error: utf16 ? `${BINARY}: UTF-16 needs a byte order mark` : BINARY };
  }
  if (!isUtf8(body)) {
    const at = firstInvalidUtf8(body);
    return { error: `invalid UTF-8 at line ${lineOfByte(body, at)} (byte ${start + at + 1} of the file)` };
  }
  return { text: body.toString('utf8'), encoding: 'utf-8' };
}

/**
 * The resources and input errors of one file (or `-` for standard input), parsed as the iteration reaches them.
 * Every problem is an input error, never an exception.
 */
export async function* iterateManifestFile(
  file: string,
  options: LoadOptions = {},
): AsyncGenerator<ManifestEntry> {
  const name = file === STDIN_PATH ? STDIN_NAME : file;
  const bytes = await readSource(file, options);
  if (typeof bytes === 'string') {
    yield { error: { file: name, message: bytes } };
    return;
  }
  const decoded = decodeManifestBytes(bytes);
  if ('error' in decoded) {
    yield { error: { file: name, message: decoded.error } };
    return;
  }
  // Standard input is often `kubectl get -o json`: take the fast JSON path when it is JSON.
  const format = extname(file).toLowerCase() === '.json' ? 'json' : file === STDIN_PATH ? 'auto' : 'yaml';
  const parseOptions = options.maxAliasCount === undefined ? {} : { maxAliasCount: options.maxAliasCount };
  yield* iterateManifests(decoded.text, name, { ...parseOptions, format });
}

/** Loads one file (or `-` for standard input); every problem is an input error, never an exception. */
export async function loadManifestFile(file: string, options: LoadOptions = {}): Promise<LoadedManifests> {
  const loaded: LoadedManifests = { resources: [], errors: [] };
  for await (const entry of iterateManifestFile(file, options)) collect([entry], loaded);
  return loaded;
}

/** Loads every manifest under the paths, in order. */
export async function loadManifests(
  paths: readonly string[],
  options: LoadOptions = {},
): Promise<LoadedManifests> {
  const found = findManifestFiles(paths);
  const resources: ManifestResource[] = [];
  const errors: InputError[] = [...found.errors];
  let done = 0;
  for (const file of found.files) {
    const loaded = await loadManifestFile(file, options);
    resources.push(...loaded.resources);
    errors.push(...loaded.errors);
    options.onProgress?.(++done, found.files.length);
  }
  return { resources, errors };
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

/**
 * Lines and columns of offsets in a text. Lines are counted by `\n` (as kubectl splits a stream and as editors
 * number lines), not by the reference parser's lexer, which misses a line break in some odd documents. Columns are
 * 1-based UTF-16 code units (SARIF's default column kind).
 */
class LineTable {
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
interface YamlPlacement {
  file: string;
  /** Offset of the parsed text in the file's text. */
  offset: number;
  /** Lines of the file's text. */
  lines: LineTable;
}

/** Lines of the fields of one document parsed by the reference parser. */
class YamlDocumentLines {
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
 * Lines of a document read by the fast path, which keeps no positions: the first time a line is asked for, the
 * document's text alone is parsed again by the reference parser (only resources with findings ask).
 */
class ChunkLines {
  readonly #text: string;
  readonly #chunk: YamlChunk;
  readonly #lines: LineTable;
  #documentLines: YamlDocumentLines | null | undefined;

  constructor(text: string, chunk: YamlChunk, lines: LineTable) {
    this.#text = text;
    this.#chunk = chunk;
    this.#lines = lines;
  }

  lineOf(path: Path): number | undefined {
    if (this.#documentLines === undefined) {
      const [doc] = composeYaml(this.#text.slice(this.#chunk.start, this.#chunk.end));
      const placement = { file: '', offset: this.#chunk.start, lines: this.#lines };
      this.#documentLines = doc ? new YamlDocumentLines(doc, placement) : null;
    }
    return this.#documentLines?.lineOf(path);
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
class JsonDocumentLines {
  readonly #text: string;
  readonly #lines: LineTable;
  /** Element offsets of the arrays scanned so far, by the array's offset. */
  readonly #elements = new Map<number, number[]>();

  constructor(text: string, lines: LineTable) {
    this.#text = text;
    this.#lines = lines;
  }

  lineOf(path: Path): number | undefined {
    let offset = this.#skipSpace(0);
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

interface DocumentLines {
  lineOf(path: Path): number | undefined;
}

class LoadedResource implements ManifestResource {
  readonly object: Record<string, unknown>;
  readonly apiVersion: string;
  readonly kind: string;
  readonly file: string;
  readonly document: number;
  readonly #lines: DocumentLines;
  /** Where the resource sits in its document (`["items", i]` for List items). */
  readonly #prefix: Path;
  #line: number | undefined;

  constructor(header: ResourceHeader, source: DocumentSource, prefix: Path, line: number | undefined) {
    this.object = header.object;
    this.apiVersion = header.apiVersion;
    this.kind = header.kind;
    this.file = source.file;
    this.document = source.document;
    this.#lines = source.lines;
    this.#prefix = prefix;
    this.#line = line;
  }

  get line(): number {
    this.#line ??= this.#lines.lineOf(this.#prefix) ?? 1;
    return this.#line;
  }

  lineOf(path: Path): number {
    return this.#lines.lineOf(this.#prefix.length === 0 ? path : [...this.#prefix, ...path]) ?? this.line;
  }
}

interface ResourceHeader {
  object: Record<string, unknown>;
  apiVersion: string;
  kind: string;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a sequence';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

/** Checks that a value is a Kubernetes object; returns the reason when it is not. */
function resourceHeader(value: unknown): ResourceHeader | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return `not a Kubernetes object: expected a mapping, found ${describeType(value)}`;
  }
  const object = value as Record<string, unknown>;
  const { kind, apiVersion } = object;
  if (typeof kind !== 'string' || kind === '') return 'not a Kubernetes object: missing kind';
  if (typeof apiVersion !== 'string' || apiVersion === '')
    return 'not a Kubernetes object: missing apiVersion';
  return { object, kind, apiVersion };
}

/** `kind: List` and any `...List` kind with an `items` array. */
function listItems(header: ResourceHeader): unknown[] | undefined {
  const items = header.object.items;
  return header.kind.endsWith('List') && Array.isArray(items) ? items : undefined;
}

/** One resource or one input error, in source order. */
export type ManifestEntry =
  | { resource: ManifestResource; error?: never }
  | { error: InputError; resource?: never };

interface DocumentSource {
  file: string;
  document: number;
  lines: DocumentLines;
}

/** The resources of a document's value, expanding Lists (their items are at `["items", i]`). */
function* documentEntries(
  source: DocumentSource,
  value: unknown,
  prefix: Path,
  line: number | undefined,
): Generator<ManifestEntry> {
  const header = resourceHeader(value);
  if (typeof header === 'string') {
    const at = line ?? source.lines.lineOf(prefix);
    const where = prefix.length > 0 ? ` (${prefix.join('.')})` : '';
    const error = {
      file: source.file,
      document: source.document,
      ...(at ? { line: at } : {}),
      message: `${header}${where}`,
    };
    yield { error };
    return;
  }
  const items = listItems(header);
  if (!items) {
    yield { resource: new LoadedResource(header, source, prefix, line) };
    return;
  }
  for (let i = 0; i < items.length; i++)
    yield* documentEntries(source, items[i], [...prefix, 'items', i], undefined);
}

function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
}

/** Composes YAML text with the reference parser, one document at a time. */
function composeYaml(text: string): Generator<Document.Parsed> {
  return new Composer(yamlOptions).compose(new Parser().parse(text));
}

/** The first node (in document order) of a document that `found` picks, or undefined. */
function findNode(doc: Document.Parsed, found: (node: Node) => boolean): Node | undefined {
  let match: Node | undefined;
  const check = (_key: unknown, node: Node) => {
    if (!found(node)) return undefined;
    match = node;
    return visit.BREAK;
  };
  visit(doc, { Alias: check, Scalar: check, Map: check, Seq: check });
  return match;
}

/**
 * Where a syntax error is, as an offset in the parsed text. The reference reports an unclosed quoted scalar or
 * flow collection where it gave up, at the end of what it swallowed (often the rest of the document): the error is
 * where the scalar or collection opens. An over-indented line under a scalar value (`a: 1\n  b: 2`) is reported at
 * the value on the line above; the error is the `:` that made the value a key spanning two lines.
 */
function syntaxErrorOffset(doc: Document.Parsed, error: YAMLError): number {
  const [at, end] = error.pos;
  if (error.code === 'MISSING_CHAR' && /quote/.test(error.message)) {
    const opening = findNode(
      doc,
      (node) => isScalar(node) && node.range?.[1] === at && /^QUOTE_/.test(node.type ?? ''),
    );
    if (opening?.range) return opening.range[0];
  }
  if (/^Flow (sequence|map)\b/.test(error.message)) {
    const opening = findNode(
      doc,
      (node) => (isMap(node) || isSeq(node)) && node.flow === true && node.range?.[1] === at,
    );
    if (opening?.range) return opening.range[0];
  }
  if (error.code === 'BLOCK_AS_IMPLICIT_KEY') {
    const multiline = doc.errors.find((e) => e.code === 'MULTILINE_IMPLICIT_KEY' && e.pos[0] === at);
    if (multiline) return multiline.pos[1];
  }
  return error.code === 'MULTILINE_IMPLICIT_KEY' ? end : at;
}

/**
 * Where an error found while turning a document into values (an alias to no anchor, an alias bomb) is: the first
 * alias that resolves to nothing, else the first alias, else the document's content.
 */
function valueErrorOffset(doc: Document.Parsed, contentOffset: number): number {
  const unresolved = findNode(doc, (node) => isAlias(node) && node.resolve(doc) === undefined);
  const alias = unresolved ?? findNode(doc, (node) => isAlias(node));
  return alias?.range?.[0] ?? contentOffset;
}

/** An input error located at an offset of a parsed text. */
function errorAt(placement: YamlPlacement, document: number, offset: number, message: string): ManifestEntry {
  const { line, column } = placement.lines.positionAt(placement.offset + offset);
  return { error: { file: placement.file, document, line, column, message } };
}

/** The entries of one document composed by the reference parser. */
function referenceDocumentEntries(
  doc: Document.Parsed,
  placement: YamlPlacement,
  document: number,
  maxAliasCount: number,
): Generator<ManifestEntry> | ManifestEntry[] {
  const [syntaxError] = doc.errors;
  if (syntaxError) {
    const offset = syntaxErrorOffset(doc, syntaxError);
    return [errorAt(placement, document, offset, `invalid YAML: ${errorMessage(syntaxError)}`)];
  }
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) return []; // an empty document
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount });
  } catch (error) {
    const offset = valueErrorOffset(doc, contents.range[0]);
    return [errorAt(placement, document, offset, `invalid YAML: ${errorMessage(error)}`)];
  }
  const line = placement.lines.lineAt(placement.offset + contents.range[0]);
  const source = { file: placement.file, document, lines: new YamlDocumentLines(doc, placement) };
  return documentEntries(source, value, [], line);
}

/**
 * Multi-document YAML read by the reference parser alone, composed one document at a time so each can be checked
 * and dropped before the next.
 */
function* referenceYamlEntries(
  text: string,
  placement: YamlPlacement,
  firstDocument: number,
  options: ParseOptions,
): Generator<ManifestEntry> {
  const maxAliasCount = options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT;
  let document = firstDocument - 1;
  for (const doc of composeYaml(text)) {
    document++;
    yield* referenceDocumentEntries(doc, placement, document, maxAliasCount);
  }
}

/**
 * Multi-document YAML. The text is first split into documents at marker lines, as kubectl splits a stream before
 * parsing each document: a document marker at the start of a line ends any document (YAML forbids it inside any
 * scalar or collection), so each document is parsed alone and a syntax error cannot run into, or be attributed
 * to, another document. Each document takes the fast path when it can (when `reading` is `fast`), else the
 * reference parser. Texts the line scan cannot split as the reference would (directives, unusual line breaks) are read by
 * the reference parser as a whole.
 */
function* yamlEntries(
  text: string,
  file: string,
  options: ParseOptions,
  reading: YamlReading,
): Generator<ManifestEntry> {
  const lines = new LineTable(text);
  if (reading === 'whole' || textIneligibility(text) !== undefined) {
    yield* referenceYamlEntries(text, { file, offset: 0, lines }, 1, options);
    return;
  }
  const maxAliasCount = options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT;
  let document = 0;
  for (const chunk of splitYamlDocuments(text)) {
    document++;
    let entries: ManifestEntry[];
    try {
      const placement = { file, offset: chunk.start, lines };
      entries = chunkEntries(text, chunk, placement, document, maxAliasCount, reading === 'fast');
    } catch (error) {
      // Nothing in a manifest should get here (deeply nested input can exhaust the stack); the other documents
      // of the file are still read.
      const line = chunk.contentLine > 0 ? chunk.contentLine : chunk.line;
      entries = [{ error: { file, document, line, message: `cannot parse: ${errorMessage(error)}` } }];
    }
    yield* entries;
  }
}

/** The entries of one document: through the fast path when it takes it, else through the reference parser. */
function chunkEntries(
  text: string,
  chunk: YamlChunk,
  placement: YamlPlacement,
  document: number,
  maxAliasCount: number,
  fastPath: boolean,
): ManifestEntry[] {
  const fast = fastPath ? loadFast(text, chunk) : undefined;
  if (fast?.ok) {
    if (fast.value === null) return []; // an empty document
    const source = { file: placement.file, document, lines: new ChunkLines(text, chunk, placement.lines) };
    return [...documentEntries(source, fast.value, [], chunk.contentLine)];
  }
  const entries: ManifestEntry[] = [];
  // One document, as split: the reference sees no other marker in it (see `splitYamlDocuments`).
  for (const doc of composeYaml(text.slice(chunk.start, chunk.end))) {
    entries.push(...referenceDocumentEntries(doc, placement, document, maxAliasCount));
  }
  return entries;
}

/** Where JSON.parse failed: its "position N" when it says, else where a YAML parse of the text fails. */
function jsonErrorPosition(
  text: string,
  lines: LineTable,
  reason: string,
): { line: number; column: number } | undefined {
  const position = /position (\d+)/.exec(reason)?.[1];
  if (position !== undefined) return lines.positionAt(Number(position));
  const parser = new Parser();
  for (const doc of new Composer({ uniqueKeys: false, logLevel: 'silent' }).compose(parser.parse(text))) {
    const [error] = doc.errors;
    if (error) return lines.positionAt(error.pos[0]);
  }
  return undefined;
}

const MAX_MESSAGE_LENGTH = 160;

function* jsonEntries(text: string, file: string): Generator<ManifestEntry> {
  const lines = new LineTable(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = errorMessage(error);
    const position = jsonErrorPosition(text, lines, reason);
    const shortened =
      reason.length > MAX_MESSAGE_LENGTH ? `${reason.slice(0, MAX_MESSAGE_LENGTH - 3)}...` : reason;
    yield { error: { file, document: 1, ...position, message: `invalid JSON: ${shortened}` } };
    return;
  }
  yield* jsonValueEntries(text, file, value, lines);
}

function jsonValueEntries(
  text: string,
  file: string,
  value: unknown,
  lines = new LineTable(text),
): Generator<ManifestEntry> {
  const line = lines.lineAt(Math.max(0, text.search(/\S/)));
  return documentEntries({ file, document: 1, lines: new JsonDocumentLines(text, lines) }, value, [], line);
}

/** `yaml`; `json` (faster, one document); `auto`: JSON when the text is a JSON object, else YAML. */
export type ManifestFormat = 'yaml' | 'json' | 'auto';

/** A JSON object's value, or undefined when the text is not one. */
function jsonObject(text: string): object | undefined {
  if (text[text.search(/\S/)] !== '{') return undefined;
  try {
    return JSON.parse(text) as object;
  } catch {
    return undefined;
  }
}

/**
 * The resources and input errors in manifest text, in order: multi-document YAML, or JSON. Lists are expanded to
 * their items. Malformed and non-object documents become input errors; empty documents are ignored. Documents are
 * parsed as the iteration reaches them.
 */
export function iterateManifests(
  text: string,
  file: string,
  options: ParseOptions & { format?: ManifestFormat } = {},
): Generator<ManifestEntry> {
  return manifestEntries(text, file, options, 'fast');
}

/**
 * How YAML is read: `fast` (the fast path where it can, per document of the split), `reference` (the reference
 * alone, per document of the split), `whole` (the reference alone on the whole text, without the split).
 */
type YamlReading = 'fast' | 'reference' | 'whole';

function* manifestEntries(
  text: string,
  file: string,
  options: ParseOptions & { format?: ManifestFormat },
  reading: YamlReading,
): Generator<ManifestEntry> {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    if (options.format === 'json') {
      yield* jsonEntries(source, file);
      return;
    }
    const json = options.format === 'auto' ? jsonObject(source) : undefined;
    if (json !== undefined) yield* jsonValueEntries(source, file, json);
    else yield* yamlEntries(source, file, options, reading);
  } catch (error) {
    // Nothing in a manifest should get here (deeply nested input can exhaust the stack); never stop the run.
    yield { error: { file, message: `cannot parse: ${errorMessage(error)}` } };
  }
}

function collect(
  entries: Iterable<ManifestEntry>,
  into: LoadedManifests = { resources: [], errors: [] },
): LoadedManifests {
  for (const entry of entries) {
    if (entry.resource) into.resources.push(entry.resource);
    else into.errors.push(entry.error);
  }
  return into;
}

/** All resources and input errors in manifest text (see `iterateManifests`). */
export function parseManifests(
  text: string,
  file: string,
  options: ParseOptions & { format?: ManifestFormat } = {},
): LoadedManifests {
  return collect(iterateManifests(text, file, options));
}

/**
 * @internal `parseManifests` with the reference YAML parser alone (no fast path) on each document of the split:
 * what the fast path must agree with, for the differential test; with `whole`, on the whole text without the
 * split, which valid texts must read the same. Not exported from the package.
 */
export function parseManifestsWithReference(
  text: string,
  file: string,
  options: ParseOptions & { format?: ManifestFormat; whole?: boolean } = {},
): LoadedManifests {
  return collect(manifestEntries(text, file, options, options.whole === true ? 'whole' : 'reference'));
}
