import {
  closeSync,
  constants,
  type Dirent,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { TARGETS } from './targets.js';

/**
 * The folders of `build --out DIR` that build owns, written and pruned without ever following a symbolic link.
 *
 * A GitOps repository is shared: a symbolic link committed under a target's folder (DIR/gatekeeper, …) would otherwise let
 * whoever runs `build` there overwrite or delete files outside DIR. So before anything is touched, every entry of
 * the owned folders is examined with lstat; a symbolic link (wherever it points, even inside DIR), or anything
 * else that is not a plain file or directory, makes the build refuse and change nothing. DIR itself may be a
 * symbolic link: the user named it on the command line, so following it is what they asked for.
 *
 * Writes are atomic per file (a temporary file in the same directory, then rename), and every temporary file is
 * written before the first rename, so a failed or interrupted write leaves the previous output whole; files that
 * are no longer generated are removed only after every write succeeded.
 */

/** One folder per target (`targets.ts`). */
export const OWNED_FOLDERS: readonly string[] = TARGETS.map((t) => t.folder);

/** What is in the owned folders today, as paths relative to DIR with `/` separators. */
export interface OutputTree {
  files: Set<string>;
  directories: Set<string>;
  /** Why the build must not touch DIR: symbolic links, special files, paths that cannot be written. */
  problems: string[];
}

/** A build refused before touching anything; every problem is listed. */
export class UnsafeOutputError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`refusing to write: ${problems.join('; ')}`);
  }
}

const TEMP_PREFIX = '.palisade-tmp-';

function fsReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code ?? (error instanceof Error ? error.message : String(error));
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** A generated path must be plain segments under an owned folder: nothing a policy id could steer elsewhere. */
function pathProblem(rel: string): string | undefined {
  const segments = rel.split('/');
  const plain = segments.every(
    (s) => s !== '' && s !== '.' && s !== '..' && !s.includes('\\') && !s.includes('\0'),
  );
  if (!plain || !OWNED_FOLDERS.includes(segments[0] ?? '')) {
    return `generated path ${JSON.stringify(rel)} is not a plain path under ${OWNED_FOLDERS.join(' or ')}/`;
  }
  return undefined;
}

function describeLink(path: string): string {
  try {
    return ` (-> ${readlinkSync(path)})`;
  } catch {
    return '';
  }
}

/** Reads the owned folders of `out` with lstat and checks that `generated` can be written there safely. */
export function scanOutput(out: string, generated: Iterable<string>): OutputTree {
  const tree: OutputTree = { files: new Set(), directories: new Set(), problems: [] };
  const shown = (rel: string) => join(out, rel);
  try {
    // `out` itself is followed (stat, not lstat): see the module comment.
    if (!statSync(out).isDirectory()) tree.problems.push(`${out} is not a directory`);
  } catch (error) {
    if (!isMissing(error)) tree.problems.push(`cannot read ${out}: ${fsReason(error)}`);
  }
  const visit = (
    rel: string,
    kind: { isSymbolicLink(): boolean; isDirectory(): boolean; isFile(): boolean },
  ) => {
    if (kind.isSymbolicLink()) {
      tree.problems.push(`${shown(rel)} is a symbolic link${describeLink(shown(rel))}`);
    } else if (kind.isDirectory()) {
      tree.directories.add(rel);
      let entries: Dirent[];
      try {
        entries = readdirSync(shown(rel), { withFileTypes: true });
      } catch (error) {
        tree.problems.push(`cannot read ${shown(rel)}: ${fsReason(error)}`);
        return;
      }
      for (const entry of entries) visit(`${rel}/${entry.name}`, entry);
    } else if (kind.isFile()) {
      tree.files.add(rel);
    } else {
      tree.problems.push(`${shown(rel)} is not a regular file or directory`);
    }
  };
  if (tree.problems.length === 0) {
    for (const folder of OWNED_FOLDERS) {
      try {
        visit(folder, lstatSync(join(out, folder)));
      } catch (error) {
        if (!isMissing(error)) tree.problems.push(`cannot read ${shown(folder)}: ${fsReason(error)}`);
      }
    }
  }
  for (const rel of generated) {
    const problem = pathProblem(rel);
    if (problem) {
      tree.problems.push(problem);
      continue;
    }
    const segments = rel.split('/');
    for (let i = 1; i < segments.length; i++) {
      const parent = segments.slice(0, i).join('/');
      if (tree.files.has(parent))
        tree.problems.push(`${shown(parent)} is a file where build writes a folder`);
    }
    if (tree.directories.has(rel)) tree.problems.push(`${shown(rel)} is a folder where build writes a file`);
  }
  tree.problems = [...new Set(tree.problems)];
  return tree;
}

/** A file's content, read without following a symbolic link (it was checked, but the check is not the read). */
export function readOwnedFile(out: string, rel: string): string {
  const fd = openSync(join(out, rel), constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

export interface Comparison {
  /** Generated files missing from DIR or different there. */
  stale: string[];
  /** Files in the owned folders that are not generated (any more). */
  strays: string[];
}

export function compareOutput(out: string, tree: OutputTree, files: ReadonlyMap<string, string>): Comparison {
  const stale = [...files]
    .filter(([rel, content]) => !tree.files.has(rel) || readOwnedFile(out, rel) !== content)
    .map(([rel]) => rel)
    .sort();
  const strays = [...tree.files].filter((rel) => !files.has(rel)).sort();
  return { stale, strays };
}

export interface WriteResult {
  written: number;
  unchanged: number;
  removed: number;
}

/**
 * Writes `files` under `out` after `scanOutput` found no problem: folders first, then every changed file to a
 * temporary file beside it, then the renames, then the removal of strays and of the folders they leave empty.
 */
export function writeOutput(out: string, tree: OutputTree, files: ReadonlyMap<string, string>): WriteResult {
  if (tree.problems.length > 0) throw new UnsafeOutputError(tree.problems);
  const { stale, strays } = compareOutput(out, tree, files);
  mkdirSync(out, { recursive: true });
  const directories = new Set(tree.directories);
  for (const rel of stale) {
    const segments = rel.split('/');
    for (let i = 1; i < segments.length; i++) {
      const dir = segments.slice(0, i).join('/');
      if (directories.has(dir)) continue;
      // One level at a time, never `recursive`: each new folder is created inside one already checked.
      mkdirSync(join(out, dir));
      directories.add(dir);
    }
  }
  const temporary: [temp: string, target: string][] = [];
  const discard = () => {
    for (const [temp] of temporary) {
      try {
        unlinkSync(temp);
      } catch {
        // Already renamed or never created.
      }
    }
  };
  try {
    for (const rel of stale) {
      const target = join(out, rel);
      const slash = rel.lastIndexOf('/');
      const temp = join(
        out,
        rel.slice(0, slash),
        `${TEMP_PREFIX}${process.pid}-${temporary.length}-${rel.slice(slash + 1)}`,
      );
      temporary.push([temp, target]);
      // `wx`: O_CREAT|O_EXCL, which never opens an existing file or follows a link planted at the name.
      writeFileSync(temp, files.get(rel) as string, { flag: 'wx', mode: 0o644 });
    }
    for (const [temp, target] of temporary) renameSync(temp, target);
  } catch (error) {
    discard();
    throw error;
  }
  for (const rel of strays) unlinkSync(join(out, rel));
  // Folders left empty by the strays go too, deepest first (an owned folder itself stays).
  const emptied = [...new Set(strays.flatMap((rel) => ancestors(rel)))].sort((a, b) => b.length - a.length);
  for (const dir of emptied) {
    try {
      rmdirSync(join(out, dir));
    } catch {
      // Not empty: something else is still generated there.
    }
  }
  return { written: stale.length, unchanged: files.size - stale.length, removed: strays.length };
}

/** The folders between an owned folder (excluded) and a file. */
function ancestors(rel: string): string[] {
  const segments = rel.split('/');
  const out: string[] = [];
  for (let i = 2; i < segments.length; i++) out.push(segments.slice(0, i).join('/'));
  return out;
}
