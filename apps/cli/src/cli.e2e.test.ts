import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** The palisade binary as a real process: exit codes, pipes and the shebang, as CI and shells see them. */

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const bin = join(root, 'apps', 'cli', 'src', 'bin.ts');

function palisade(args: string[], input?: string) {
  const result = spawnSync(
    process.execPath,
    ['--conditions=@palisade/source', '--import', 'tsx', bin, ...args],
    {
      cwd: root,
      input: input ?? '',
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '' },
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const PRIVILEGED_POD = `apiVersion: v1
kind: Pod
metadata: {name: piped, namespace: demo}
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext: {privileged: true}
`;

describe('palisade (process)', () => {
  it('is an executable node script', () => {
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('exits 1 on a failing manifest piped to standard input, with machine-readable output only', () => {
    const result = palisade(['validate', '--profile', 'baseline', '--format', 'json', '-'], PRIVILEGED_POD);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { summary: { fail: number }; results: { file: string }[] };
    expect(report.summary.fail).toBe(1);
    expect(report.results[0]?.file).toBe('<stdin>');
  });

  it('exits 0 on a clean manifest and 2 on bad usage or input', () => {
    const clean = PRIVILEGED_POD.replace('{privileged: true}', '{privileged: false}');
    expect(palisade(['validate', '--profile', 'baseline', '-'], clean).code).toBe(0);
    expect(palisade(['validate', '--format', 'yaml', '-'], clean).code).toBe(2);
    expect(palisade(['validate', '-'], 'kind: [broken').code).toBe(2);
    expect(palisade(['--version']).code).toBe(0);
  });
});
