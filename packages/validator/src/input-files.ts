import { createReadStream, type Dirent, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import {
  collect,
  type InputError,
  type LoadedManifests,
  type ManifestEntry,
  type ManifestResource,
} from './manifest-resources.js';
import { iterateManifests, type ParseOptions } from './parse-manifests.js';
import { decodeManifestBytes } from './text-decoding.js';

/**
 * Finds manifest files (directories walked, `-` for standard input) and reads them within a size limit. Bad input
 * never stops a load: each problem becomes an `InputError` beside the resources, and everything else is still loaded.
 */

/** The path that names standard input. */
export const STDIN_PATH = '-';
/** How standard input is named in results and errors. */
export const STDIN_NAME = '<stdin>';
/**
 * Large enough for `kubectl get -o json` of 10,000 live Deployments (128 MB; 4 s and 520 MB peak RSS in the CLI,
 * docs/performance.md), small enough that a runaway or hostile file is refused rather than exhausting memory.
 */
export const DEFAULT_MAX_FILE_SIZE = 256 * 1024 * 1024;

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

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
