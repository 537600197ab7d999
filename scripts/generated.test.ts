import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The catalogue's output for `palisade build`'s default selection (the restricted profile) is committed in
 * generated/, as gatekeeper-library commits library/: this fails when it is stale. Regenerate with `pnpm generate`.
 */

const root = join(import.meta.dirname, '..');

describe('generated/ (the committed catalogue output)', () => {
  it('is what `palisade build --out generated` writes today (build --check)', () => {
    const result = spawnSync(
      process.execPath,
      [
        '--conditions=@palisade/source',
        '--import',
        'tsx',
        join(root, 'apps', 'cli', 'src', 'bin.ts'),
        'build',
        '--out',
        join(root, 'generated'),
        '--check',
      ],
      { cwd: root, input: '', encoding: 'utf8' },
    );
    expect(result.stderr).not.toContain('stale');
    expect(result.stdout).toMatch(/^\d+ generated files in .* are up to date$/m);
    expect(result.status).toBe(0);
  }, 120_000);
});
