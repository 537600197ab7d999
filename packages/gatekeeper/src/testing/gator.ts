import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { enginePath } from '@palisade/engines';

/** Test-only drivers of the real gator. A missing engine throws enginePath's message: never a skip. */

const exec = promisify(execFile);

/** Runs a command with stdin closed: `gator test` reads stdin whenever it is not a terminal. */
function run(file: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  const pending = exec(file, args, { maxBuffer: 1 << 30, encoding: 'utf8' });
  pending.child.stdin?.end();
  return pending;
}

export function gatorBinary(): string {
  return enginePath('gator');
}

/** Writes generated files under a fresh temporary directory and returns it. */
export function writeTree(files: ReadonlyMap<string, string>, prefix = 'palisade-gk-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [path, text] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

export interface GatorRun {
  ok: boolean;
  output: string;
  ms: number;
}

/** `gator verify <dir>/...`: every suite under the directory. */
export async function gatorVerify(dir: string): Promise<GatorRun> {
  const start = performance.now();
  try {
    const { stdout, stderr } = await run(gatorBinary(), ['verify', `${dir}/...`]);
    return { ok: true, output: stdout + stderr, ms: performance.now() - start };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    return {
      ok: false,
      output: `${e.stdout ?? ''}${e.stderr ?? ''}` || e.message,
      ms: performance.now() - start,
    };
  }
}

/**
 * `gator verify` on several directories, `concurrency` at a time: gator compiles the template again for every
 * case, which dominates with CEL, so suites run side by side on the machine's cores.
 */
export async function gatorVerifyAll(dirs: readonly string[], concurrency = 2): Promise<GatorRun> {
  const start = performance.now();
  const runs: GatorRun[] = [];
  const queue = [...dirs];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let dir = queue.shift(); dir !== undefined; dir = queue.shift()) runs.push(await gatorVerify(dir));
    }),
  );
  return {
    ok: runs.every((r) => r.ok),
    output: runs.map((r) => r.output).join(''),
    ms: performance.now() - start,
  };
}

export interface GatorResult {
  msg: string;
  metadata?: { details?: { path?: unknown } };
  constraint: { kind: string; metadata: { name: string } };
  violatingObject: { kind?: string; metadata?: { name?: string } };
}

/** `gator test -o json` over files and directories; every violation, whatever the enforcement action. */
export async function gatorTest(paths: readonly string[]): Promise<{ results: GatorResult[]; ms: number }> {
  const start = performance.now();
  const args = ['test', '-o', 'json', ...paths.flatMap((p) => ['-f', p])];
  let stdout: string;
  try {
    ({ stdout } = await run(gatorBinary(), args));
  } catch (error) {
    // gator exits non-zero when a `deny` constraint is violated; its JSON is still on stdout.
    const e = error as { stdout?: string; stderr?: string; message: string };
    if (!e.stdout?.trim().startsWith('['))
      throw new Error(`gator test failed: ${e.stderr ?? ''}${e.message}`);
    stdout = e.stdout;
  }
  const trimmed = stdout.trim();
  const results = trimmed === '' || trimmed === 'null' ? [] : (JSON.parse(trimmed) as GatorResult[]);
  return { results, ms: performance.now() - start };
}
