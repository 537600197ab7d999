import { Composer, type Document, isScalar, Parser } from 'yaml';
import { collect, documentEntries, type LoadedManifests, type ManifestEntry } from './manifest-resources.js';
import {
  ChunkLines,
  JsonDocumentLines,
  LineTable,
  YamlDocumentLines,
  type YamlPlacement,
} from './source-lines.js';
import { loadFast, splitYamlDocuments, textIneligibility, type YamlChunk } from './yaml-fast.js';
import { composeYaml, syntaxErrorOffset, valueErrorOffset } from './yaml-reference.js';

/**
 * Parses manifest text (multi-document YAML or JSON) into resources and input errors, choosing per document
 * between the YAML fast path and the reference parser.
 */

/** An alias may expand to at most this many nodes (guards against "billion laughs" documents). */
export const DEFAULT_MAX_ALIAS_COUNT = 100;

export interface ParseOptions {
  /** @default DEFAULT_MAX_ALIAS_COUNT */
  maxAliasCount?: number;
}

function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
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
      entries = chunkEntries(text, chunk, placement, document, maxAliasCount, reading);
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
  reading: YamlReading,
): ManifestEntry[] {
  const fast =
    reading === 'fast' || reading === 'js-yaml'
      ? loadFast(text, chunk, reading === 'fast' ? 'block-parser' : 'js-yaml')
      : undefined;
  if (fast?.ok) {
    if (fast.value === null) return []; // an empty document
    const source = {
      file: placement.file,
      document,
      lines: new ChunkLines(text, chunk, placement.lines, fast.parser),
    };
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
 * How YAML is read: `fast` (the fast path where it can, per document of the split), `js-yaml` (the fast path
 * without its block-structure parser, for the bench), `reference` (the reference alone, per document of the split), `whole` (the reference alone on the whole text, without the split).
 */
export type YamlReading = 'fast' | 'js-yaml' | 'reference' | 'whole';

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

/**
 * @internal `parseManifests` reading YAML as `reading` says: for the bench, which compares the YAML readers on the
 * same pipeline (see docs/performance.md). Not exported from the package.
 */
export function parseManifestsReading(
  text: string,
  file: string,
  options: ParseOptions & { format?: ManifestFormat },
  reading: YamlReading,
): LoadedManifests {
  return collect(manifestEntries(text, file, options, reading));
}
