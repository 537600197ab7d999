import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * What each command loads before it runs: the modules reachable by static imports from bin.ts and the command's
 * module (index.ts imports the commands themselves lazily). Start-up time is mostly module loading, so this guards
 * it without a clock: `validate` must not load the Gatekeeper and Kyverno compilers, `--version` nothing but the
 * CLI's own small modules, and tsx only when a TypeScript `--config` is read (docs/performance.md, "Start-up").
 */

const cliDir = join(dirname(fileURLToPath(import.meta.url)), '..');
let metafile: Metafile;

beforeAll(async () => {
  // The module graph as Node (through the bundle or tsx) sees it, from the sources, dynamic imports included.
  const result = await build({
    absWorkingDir: cliDir,
    entryPoints: ['src/bin.ts'],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'node',
    conditions: ['@palisade/source'],
    external: ['tsx', 'tsx/*'],
    outdir: 'startup-imports',
    logLevel: 'silent',
  });
  metafile = result.metafile;
});

/** Every module (and external package) loaded before the given modules run, following static imports only. */
function staticallyLoaded(...entries: string[]): string[] {
  const seen = new Set<string>();
  const queue = [...entries];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    for (const imported of metafile.inputs[next]?.imports ?? []) {
      if (imported.kind === 'import-statement' || imported.kind === 'require-call') queue.push(imported.path);
    }
  }
  return [...seen];
}

const BUILD_TARGETS = /packages\/(gatekeeper|kyverno|rego|cel|cdk8s|engines)\//;

describe('modules loaded at start-up', () => {
  it('finds the modules each command loads (the walk itself works)', () => {
    expect(metafile.inputs['src/bin.ts']).toBeDefined();
    expect(staticallyLoaded('src/validate-command.ts').some((m) => m.includes('packages/validator/'))).toBe(
      true,
    );
    expect(staticallyLoaded('src/build-command.ts').some((m) => BUILD_TARGETS.test(m))).toBe(true);
  });

  it('--version and help load only the CLI entry, no package', () => {
    const loaded = staticallyLoaded('src/bin.ts');
    expect(loaded.filter((m) => !m.startsWith('src/') && !m.startsWith('node:'))).toEqual([]);
    expect(loaded).not.toContain('src/validate-command.ts');
    expect(loaded).not.toContain('src/build-command.ts');
  });

  it.each(['src/validate-command.ts', 'src/policies-command.ts'])(
    '%s loads no build target compiler and not tsx',
    (command) => {
      const loaded = staticallyLoaded('src/bin.ts', command);
      expect(loaded.filter((m) => BUILD_TARGETS.test(m))).toEqual([]);
      expect(loaded.filter((m) => /(^|\/)tsx(\/|$)/.test(m))).toEqual([]);
      expect(loaded).not.toContain('src/build-command.ts');
    },
  );

  it('policies does not load the validator (nor its js-yaml)', () => {
    const loaded = staticallyLoaded('src/bin.ts', 'src/policies-command.ts');
    expect(loaded.filter((m) => /packages\/validator\/|\/js-yaml@/.test(m))).toEqual([]);
  });

  it('tsx is imported only when a TypeScript configuration is read', () => {
    const importers = Object.entries(metafile.inputs)
      .filter(([, input]) => input.imports.some((i) => i.path.startsWith('tsx')))
      .map(([path, input]) => [
        path,
        input.imports.filter((i) => i.path.startsWith('tsx')).map((i) => i.kind),
      ]);
    expect(importers).toEqual([['src/config-file.ts', ['dynamic-import']]]);
  });
});
