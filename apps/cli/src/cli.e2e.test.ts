import { spawn, spawnSync } from 'node:child_process';
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

/**
 * A hang guard, not a speed limit: each test starts several CLI processes through the tsx loader (1–3 s each when
 * idle, several times that on a busy machine), so the suite's 60 s default could fail a correct test.
 */
const PROCESS_TESTS = { timeout: 10 * 60_000 };

const PRIVILEGED_POD = `apiVersion: v1
kind: Pod
metadata: {name: piped, namespace: demo}
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext: {privileged: true}
`;

describe('palisade (process)', PROCESS_TESTS, () => {
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

describe('palisade writing to a pipe whose reader stops early (`| head`)', PROCESS_TESTS, () => {
  it('stops writing quietly and still exits with the verdict', async () => {
    const pods = Array.from({ length: 400 }, (_, i) =>
      PRIVILEGED_POD.replace('name: piped', `name: piped-${i}`),
    ).join('---\n');
    const child = spawn(
      process.execPath,
      [
        '--conditions=@palisade/source',
        '--import',
        'tsx',
        bin,
        'validate',
        '--profile',
        'baseline',
        '--format',
        'json',
        '-',
      ],
      { cwd: root, env: { ...process.env, NO_COLOR: '' } },
    );
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString();
    });
    // Like `head -c 1`: read the first piece of the report, then close the pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    child.stdin.end(pods);
    const code = await new Promise<number | null>((resolve) =>
      child.on('close', (status) => resolve(status)),
    );
    expect(stderr).toBe('');
    expect(code).toBe(1);
  });
});

describe('palisade --config (process)', PROCESS_TESTS, () => {
  const example = join(root, 'examples', 'gitops-repo');
  const config = join(example, 'palisade.config.ts');

  it('validates with a TypeScript config: the project policy, its parameters, enforcement and exceptions', () => {
    const clean = palisade(['validate', '--config', config, '--format', 'json', join(example, 'manifests')]);
    expect(clean.stderr).toBe('');
    expect(clean.code).toBe(0);
    const report = JSON.parse(clean.stdout) as { results: { policy: string; result: string }[] };
    expect(report.results.filter((r) => r.policy === 'require-team-label').length).toBeGreaterThan(3);
    expect(report.results.some((r) => r.result === 'skip')).toBe(true); // the log shipper's exception

    const unlabelled = palisade(['validate', '--config', config, '--format', 'json', '-'], PRIVILEGED_POD);
    const results = (JSON.parse(unlabelled.stdout) as { results: { policy: string; result: string }[] })
      .results;
    expect(results.find((r) => r.policy === 'require-team-label')?.result).toBe('warn'); // enforcement: warn
    expect(results.find((r) => r.policy === 'disallow-privileged-containers')?.result).toBe('fail');
    expect(unlabelled.code).toBe(1);
  });

  it('keeps the committed generated output of the example up to date (build --check)', () => {
    const result = palisade(['build', '--config', config, '--out', join(example, 'generated'), '--check']);
    expect(result.stderr).not.toContain('stale');
    expect(result.stdout).toMatch(/^\d+ generated files in .* are up to date$/m);
    expect(result.code).toBe(0);
  });

  it('refuses a config combined with selection flags, a missing file, and a config that does not fit', () => {
    expect(palisade(['validate', '--config', config, '--profile', 'baseline', '-'], '').stderr).toContain(
      '--config cannot be combined with --profile',
    );
    const missing = palisade(['build', '--config', join(example, 'nope.ts'), '--out', '/tmp/x']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
  });
});
