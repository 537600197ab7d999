import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..', '..');

/** Runs `palisade build --out OUT ...args` from the sources (as `pnpm palisade` does) and returns OUT. */
export function palisadeBuild(out: string, args: readonly string[] = []): string {
  const build = spawnSync(
    process.execPath,
    [
      '--conditions=@palisade/source',
      '--import',
      'tsx',
      join(repo, 'apps/cli/src/bin.ts'),
      'build',
      '--out',
      out,
      ...args,
    ],
    { cwd: repo, encoding: 'utf8' },
  );
  if (build.status !== 0) throw new Error(`palisade build failed:\n${build.stderr}`);
  return out;
}
