import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OWNED_FOLDERS } from './output-tree.js';
import { outputTable, TARGETS } from './targets.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

/** The workspace packages the registry imports its targets from. */
function targetPackages(): string[] {
  const source = read('apps/cli/src/targets.ts');
  return [...source.matchAll(/from '(@palisade\/[a-z0-9-]+)'/g)]
    .map((m) => m[1] as string)
    .filter((name) => name !== '@palisade/core');
}

function packageJson(name: string): { dependencies?: Record<string, string> } {
  const folder = name.replace('@palisade/', '');
  return JSON.parse(read(`packages/${folder}/package.json`));
}

describe('the target registry', () => {
  it('gives every target its own folder, and build owns exactly those', () => {
    const folders = TARGETS.map((t) => t.folder);
    expect(new Set(folders).size).toBe(folders.length);
    expect([...OWNED_FOLDERS]).toEqual(folders);
    for (const target of TARGETS) expect(target.paths.length).toBeGreaterThan(0);
  });

  it('is what the README table of build output shows', () => {
    const readme = read('README.md');
    const start = readme.indexOf('<!-- build-output:');
    expect(start).toBeGreaterThan(-1);
    const after = readme.slice(readme.indexOf('\n', start) + 1).split('\n');
    const end = after.findIndex((line) => !line.startsWith('|'));
    const table = after.slice(0, end).join('\n');
    expect(table).toBe(outputTable());
  });

  it('never makes a target depend on the validator at run time (it is the oracle, injected by the caller)', () => {
    const packages = targetPackages();
    expect(packages).toEqual(expect.arrayContaining(['@palisade/gatekeeper', '@palisade/kyverno']));
    for (const name of packages) {
      expect(Object.keys(packageJson(name).dependencies ?? {}), name).not.toContain('@palisade/validator');
    }
  });
});
