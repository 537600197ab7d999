import type { Path } from './compile.js';
import type { DocumentLines } from './source-lines.js';

/**
 * What reading manifests yields: resources (the items of a `List` each on their own) and input errors, in source
 * order.
 */

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
  /**
   * The file; for `source: 'cluster'`, the API collection path that could not be read
   * (`/apis/apps/v1/deployments`, or with `/namespaces/NS/` for one namespace).
   */
  file: string;
  /** Set for an input read from a live cluster (a list the API server refused or failed). */
  source?: 'cluster';
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

export interface DocumentSource {
  file: string;
  document: number;
  lines: DocumentLines;
}

/** The resources of a document's value, expanding Lists (their items are at `["items", i]`). */
export function* documentEntries(
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

export function collect(
  entries: Iterable<ManifestEntry>,
  into: LoadedManifests = { resources: [], errors: [] },
): LoadedManifests {
  for (const entry of entries) {
    if (entry.resource) into.resources.push(entry.resource);
    else into.errors.push(entry.error);
  }
  return into;
}
