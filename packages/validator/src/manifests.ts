import { createReadStream, type Dirent, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import {
  Composer,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  Parser,
} from 'yaml';
import type { Path } from './compile.js';
import { loadFast, splitYamlDocuments, textIneligibility, type YamlChunk } from './yaml-fast.js';
import { yamlOptions } from './yaml-schema.js';

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
/** Files with a NUL byte in this many leading bytes are binary. */
const BINARY_SNIFF_BYTES = 8192;

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
  document?: number;
  line?: number;
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

function isBinary(bytes: Buffer): boolean {
  return bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0);
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
  if (isBinary(bytes)) {
    yield { error: { file: name, message: 'binary file (it contains a NUL byte)' } };
    return;
  }
  // Standard input is often `kubectl get -o json`: take the fast JSON path when it is JSON.
  const format = extname(file).toLowerCase() === '.json' ? 'json' : file === STDIN_PATH ? 'auto' : 'yaml';
  const parseOptions = options.maxAliasCount === undefined ? {} : { maxAliasCount: options.maxAliasCount };
  yield* iterateManifests(bytes.toString('utf8'), name, { ...parseOptions, format });
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
 * Lines of the fields of one parsed YAML document (offsets → lines through the LineCounter of the text parsed, which
 * starts `lineOffset` lines into the file).
 */
class YamlDocumentLines {
  readonly #doc: Document.Parsed;
  readonly #lineCounter: LineCounter;
  readonly #lineOffset: number;

  constructor(doc: Document.Parsed, lineCounter: LineCounter, lineOffset: number) {
    this.#doc = doc;
    this.#lineCounter = lineCounter;
    this.#lineOffset = lineOffset;
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
    return lineAt(this.#lineCounter, offset) + this.#lineOffset;
  }
}

/**
 * Lines of a document read by the fast path, which keeps no positions: the first time a line is asked for, the
 * document's text alone is parsed again by the reference parser (only resources with findings ask).
 */
class ChunkLines {
  readonly #text: string;
  readonly #chunk: YamlChunk;
  #lines: YamlDocumentLines | null | undefined;

  constructor(text: string, chunk: YamlChunk) {
    this.#text = text;
    this.#chunk = chunk;
  }

  lineOf(path: Path): number | undefined {
    if (this.#lines === undefined) {
      const lineCounter = new LineCounter();
      const [doc] = composeYaml(this.#text.slice(this.#chunk.start, this.#chunk.end), lineCounter);
      this.#lines = doc ? new YamlDocumentLines(doc, lineCounter, this.#chunk.line - 1) : null;
    }
    return this.#lines?.lineOf(path);
  }
}

function lineAt(lineCounter: LineCounter, offset: number): number {
  return Math.max(1, lineCounter.linePos(offset).line);
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
  #lineStarts: number[] | undefined;
  /** Element offsets of the arrays scanned so far, by the array's offset. */
  readonly #elements = new Map<number, number[]>();

  constructor(text: string) {
    this.#text = text;
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
    return this.#lineAt(reported);
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

  #lineAt(offset: number): number {
    if (!this.#lineStarts) {
      const starts = [0];
      for (let i = this.#text.indexOf('\n'); i !== -1; i = this.#text.indexOf('\n', i + 1))
        starts.push(i + 1);
      this.#lineStarts = starts;
    }
    const starts = this.#lineStarts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((starts[middle] as number) <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
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

/** Composes YAML text with the reference parser, one document at a time, counting lines into `lineCounter`. */
function composeYaml(text: string, lineCounter: LineCounter): Generator<Document.Parsed> {
  const parser = new Parser(lineCounter.addNewLine);
  return new Composer(yamlOptions).compose(parser.parse(text));
}

/** Where a text parsed by the reference parser sits in its file. */
interface YamlPlacement {
  file: string;
  /** Documents in the file before the text. */
  documentOffset: number;
  /** Lines in the file before the text. */
  lineOffset: number;
}

/** The entries of one document composed by the reference parser. */
function referenceDocumentEntries(
  doc: Document.Parsed,
  lineCounter: LineCounter,
  placement: YamlPlacement,
  document: number,
  maxAliasCount: number,
): Generator<ManifestEntry> | ManifestEntry[] {
  const { file, lineOffset } = placement;
  const [syntaxError] = doc.errors;
  if (syntaxError) {
    const line = lineAt(lineCounter, syntaxError.pos[0]) + lineOffset;
    return [{ error: { file, document, line, message: `invalid YAML: ${errorMessage(syntaxError)}` } }];
  }
  const contents = doc.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) return []; // an empty document
  const line = lineAt(lineCounter, contents.range[0]) + lineOffset;
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount });
  } catch (error) {
    return [{ error: { file, document, line, message: `invalid YAML: ${errorMessage(error)}` } }];
  }
  return documentEntries(
    { file, document, lines: new YamlDocumentLines(doc, lineCounter, lineOffset) },
    value,
    [],
    line,
  );
}

/**
 * Multi-document YAML read by the reference parser alone, composed one document at a time so each can be checked
 * and dropped before the next.
 */
function* referenceYamlEntries(
  text: string,
  placement: YamlPlacement,
  options: ParseOptions,
): Generator<ManifestEntry> {
  const lineCounter = new LineCounter();
  const maxAliasCount = options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT;
  let document = placement.documentOffset;
  for (const doc of composeYaml(text, lineCounter)) {
    document++;
    yield* referenceDocumentEntries(doc, lineCounter, placement, document, maxAliasCount);
  }
}

/**
 * Multi-document YAML: plain documents through the fast path, the others through the reference parser. A document
 * the fast path does not take is parsed alone by the reference parser. When that parse is not one clean document,
 * the reference parser reads the rest of the file instead, starting one document earlier: the reference attaches
 * an error found before a document's content to the document before it, and a syntax error can run past a
 * document marker. So each document's entries are held back until the next document parses cleanly, and every
 * error is exactly what the reference alone reports.
 */
function* yamlEntries(text: string, file: string, options: ParseOptions): Generator<ManifestEntry> {
  if (textIneligibility(text) !== undefined) {
    yield* referenceYamlEntries(text, { file, documentOffset: 0, lineOffset: 0 }, options);
    return;
  }
  const maxAliasCount = options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT;
  let held: ManifestEntry[] = [];
  let previous: { chunk: YamlChunk; document: number } | undefined;
  let document = 0;
  for (const chunk of splitYamlDocuments(text)) {
    document++;
    const entries = cleanDocumentEntries(text, chunk, file, document, maxAliasCount);
    if (!entries) {
      const from = previous ?? { chunk, document };
      const placement = { file, documentOffset: from.document - 1, lineOffset: from.chunk.line - 1 };
      yield* referenceYamlEntries(text.slice(from.chunk.start), placement, options);
      return;
    }
    yield* held;
    held = entries;
    previous = { chunk, document };
  }
  yield* held;
}

/**
 * The entries of one document that parses cleanly on its own: through the fast path when it takes it, else
 * through the reference parser. Undefined when the reference finds a syntax error, does not see exactly one
 * document in the chunk, or loses count of its lines.
 */
function cleanDocumentEntries(
  text: string,
  chunk: YamlChunk,
  file: string,
  document: number,
  maxAliasCount: number,
): ManifestEntry[] | undefined {
  const fast = loadFast(text, chunk);
  if (fast.ok) {
    if (fast.value === null) return []; // an empty document
    const source = { file, document, lines: new ChunkLines(text, chunk) };
    return [...documentEntries(source, fast.value, [], chunk.contentLine)];
  }
  const lineCounter = new LineCounter();
  const source = text.slice(chunk.start, chunk.end);
  const docs = [...composeYaml(source, lineCounter)];
  const [doc] = docs;
  if (docs.length !== 1 || !doc || doc.errors.length > 0) return undefined;
  // The reference's lexer misses a line break in some odd (though valid) documents, and then numbers every later
  // line of the file one lower; only reading on from here with the reference reproduces that.
  if (lineCounter.lineStarts.length !== countLineBreaks(source) + 1) return undefined;
  const placement = { file, documentOffset: document - 1, lineOffset: chunk.line - 1 };
  return [...referenceDocumentEntries(doc, lineCounter, placement, document, maxAliasCount)];
}

function countLineBreaks(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/** The line of a character offset, counting newlines up to it. */
function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Where JSON.parse failed: its "position N" when it says, else where a YAML parse of the text fails. */
function jsonErrorLine(text: string, reason: string): number | undefined {
  const position = /position (\d+)/.exec(reason)?.[1];
  if (position !== undefined) return lineOfOffset(text, Number(position));
  const lineCounter = new LineCounter();
  const parser = new Parser(lineCounter.addNewLine);
  for (const doc of new Composer({ uniqueKeys: false, logLevel: 'silent' }).compose(parser.parse(text))) {
    const [error] = doc.errors;
    if (error) return lineAt(lineCounter, error.pos[0]);
  }
  return undefined;
}

const MAX_MESSAGE_LENGTH = 160;

function* jsonEntries(text: string, file: string): Generator<ManifestEntry> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = errorMessage(error);
    const line = jsonErrorLine(text, reason);
    const shortened =
      reason.length > MAX_MESSAGE_LENGTH ? `${reason.slice(0, MAX_MESSAGE_LENGTH - 3)}...` : reason;
    yield { error: { file, document: 1, ...(line ? { line } : {}), message: `invalid JSON: ${shortened}` } };
    return;
  }
  yield* jsonValueEntries(text, file, value);
}

function jsonValueEntries(text: string, file: string, value: unknown): Generator<ManifestEntry> {
  const line = lineOfOffset(text, Math.max(0, text.search(/\S/)));
  return documentEntries({ file, document: 1, lines: new JsonDocumentLines(text) }, value, [], line);
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
  return manifestEntries(text, file, options, true);
}

function* manifestEntries(
  text: string,
  file: string,
  options: ParseOptions & { format?: ManifestFormat },
  fastPath: boolean,
): Generator<ManifestEntry> {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    if (options.format === 'json') {
      yield* jsonEntries(source, file);
      return;
    }
    const json = options.format === 'auto' ? jsonObject(source) : undefined;
    if (json !== undefined) yield* jsonValueEntries(source, file, json);
    else if (fastPath) yield* yamlEntries(source, file, options);
    else yield* referenceYamlEntries(source, { file, documentOffset: 0, lineOffset: 0 }, options);
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
 * @internal `parseManifests` with the reference YAML parser alone (no fast path): what the fast path must agree
 * with, for the differential test. Not exported from the package.
 */
export function parseManifestsWithReference(
  text: string,
  file: string,
  options: ParseOptions & { format?: ManifestFormat } = {},
): LoadedManifests {
  return collect(manifestEntries(text, file, options, false));
}
