import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { profilePolicyIds } from '@palisade/core';
import { catalogue } from '@palisade/policies';
import type { JsonReport } from '@palisade/validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './index.js';

/** `validate` and `build` select policies with one set of flags, one meaning and one default. */

async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env: {},
    now: () => new Date('2025-06-01T12:00:00Z'),
  });
  return { code, stdout, stderr };
}

const report = (stdout: string) => JSON.parse(stdout) as JsonReport;
const verdicts = (stdout: string) => report(stdout).results.map((r) => `${r.policy}:${r.result}`);

function pod(image: string, privileged = false) {
  return `apiVersion: v1
kind: Pod
metadata: {name: app, namespace: apps}
spec:
  securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
  containers:
    - name: app
      image: ${image}
      securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, privileged: ${privileged}}
`;
}

let dir: string;
const path = (name: string) => join(dir, name);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-selection-'));
  writeFileSync(path('approved.yaml'), pod('registry.example.com/app:1.0'));
  writeFileSync(path('docker-hub.yaml'), pod('docker.io/library/nginx:1.27'));
  writeFileSync(path('privileged.yaml'), pod('registry.example.com/app:1.0', true));
  writeFileSync(path('params.yaml'), 'restrict-image-registries:\n  registries: ["registry.example.com/"]\n');
  writeFileSync(path('bad-params.yaml'), 'restrict-image-registries:\n  registries: registry.example.com/\n');
  writeFileSync(path('unknown-params.yaml'), 'restrict-image-registrys:\n  registries: ["r/"]\n');
  // A plain-object configuration (defineConfig returns its argument), so it needs no import from the tmpdir.
  writeFileSync(
    path('warn.config.mjs'),
    `export default { include: ['disallow-privileged-containers'], enforcement: { 'disallow-privileged-containers': 'warn' } };\n`,
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('validate --params', () => {
  const args = ['validate', '--format', 'json', '--policy', 'restrict-image-registries'];

  it('checks a parameterised policy from the command line: pass and fail', async () => {
    const approved = await cli([...args, '--params', path('params.yaml'), path('approved.yaml')]);
    expect(approved.code).toBe(0);
    expect(verdicts(approved.stdout)).toEqual(['restrict-image-registries:pass']);
    const dockerHub = await cli([...args, '--params', path('params.yaml'), path('docker-hub.yaml')]);
    expect(dockerHub.code).toBe(1);
    expect(verdicts(dockerHub.stdout)).toEqual(['restrict-image-registries:fail']);
  });

  it('rejects bad, missing and misaddressed parameters with exit 2, naming the policy and the --params file', async () => {
    for (const command of ['validate', 'build']) {
      const target = command === 'validate' ? [path('approved.yaml')] : ['--out', path('never-written')];
      const policy = ['--policy', 'restrict-image-registries'];
      const bad = await cli([command, ...policy, '--params', path('bad-params.yaml'), ...target]);
      expect(bad.code, command).toBe(2);
      expect(bad.stdout).toBe('');
      expect(bad.stderr).toContain(
        `palisade ${command}: --params ${path('bad-params.yaml')}: invalid parameters for policy "restrict-image-registries": registries: `,
      );
      const missing = await cli([command, ...policy, ...target]);
      expect(missing.code, command).toBe(2);
      expect(missing.stderr).toMatch(
        /invalid parameters for policy "restrict-image-registries": none are given \(registries: .*\); give them in a --params file/,
      );
      const unknown = await cli([command, ...policy, '--params', path('unknown-params.yaml'), ...target]);
      expect(unknown.code, command).toBe(2);
      expect(unknown.stderr).toContain(
        `--params ${path('unknown-params.yaml')}: names unknown policy "restrict-image-registrys"`,
      );
    }
    expect(readdirSync(dir)).not.toContain('never-written');
  });

  it('warns about parameters for a policy that is not selected', async () => {
    const result = await cli(['validate', '--params', path('params.yaml'), path('approved.yaml')]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `palisade: warning: --params ${path('params.yaml')}: parameters for policy "restrict-image-registries", which is not selected, are unused`,
    );
  });
});

describe('--enforcement', () => {
  it('sets the action of every selected policy in validate, exactly as the config file does', async () => {
    const base = ['validate', '--format', 'json'];
    const audit = await cli([...base, '--policy', 'disallow-privileged-containers', path('privileged.yaml')]);
    expect(audit.code).toBe(1);
    expect(verdicts(audit.stdout)).toEqual(['disallow-privileged-containers:fail']);
    const warn = await cli([
      ...base,
      '--policy',
      'disallow-privileged-containers',
      '--enforcement',
      'warn',
      path('privileged.yaml'),
    ]);
    expect(warn.code).toBe(0);
    expect(verdicts(warn.stdout)).toEqual(['disallow-privileged-containers:warn']);
    const viaConfig = await cli([...base, '--config', path('warn.config.mjs'), path('privileged.yaml')]);
    expect(viaConfig.code).toBe(0);
    expect(report(viaConfig.stdout)).toEqual(report(warn.stdout));
    const enforce = await cli([...base, '--enforcement', 'enforce', path('privileged.yaml')]);
    expect(enforce.code).toBe(1);
    expect(verdicts(enforce.stdout)).toContain('disallow-privileged-containers:fail');
  });

  it('sets the generated action of every target in build', async () => {
    const actions = async (extra: string[]) => {
      const out = mkdtempSync(join(dir, 'build-'));
      const result = await cli([
        'build',
        '--out',
        out,
        '--policy',
        'disallow-privileged-containers',
        ...extra,
      ]);
      expect(result.code).toBe(0);
      const read = (...parts: string[]) => readFileSync(join(out, ...parts), 'utf8');
      const id = 'disallow-privileged-containers';
      return {
        gatekeeper: /enforcementAction: (\w+)/.exec(read('gatekeeper', id, 'constraint.yaml'))?.[1],
        clusterPolicy: [
          ...read('kyverno', 'cluster-policies', id, 'policy.yaml').matchAll(/failureAction: (\w+)/g),
        ]
          .map((m) => m[1])
          .join(','),
        validatingPolicy: /validationActions:\s*\n\s*- (\w+)/.exec(
          read('kyverno', 'validating-policies', id, 'policy.yaml'),
        )?.[1],
      };
    };
    expect(await actions([])).toEqual({
      gatekeeper: 'dryrun',
      clusterPolicy: 'Audit',
      validatingPolicy: 'Audit',
    });
    expect(await actions(['--enforcement', 'enforce'])).toEqual({
      gatekeeper: 'deny',
      clusterPolicy: 'Enforce',
      validatingPolicy: 'Deny',
    });
    expect(await actions(['--enforcement', 'warn'])).toMatchObject({
      gatekeeper: 'warn',
      validatingPolicy: 'Warn',
    });
  });

  it('rejects an unknown action and clashes with --config', async () => {
    const bad = await cli(['validate', '--enforcement', 'block', path('approved.yaml')]);
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toContain('invalid --enforcement "block": use audit, warn or enforce');
    for (const command of ['validate', 'build']) {
      const clash = await cli([
        command,
        '--config',
        path('warn.config.mjs'),
        '--enforcement',
        'warn',
        '--params',
        path('params.yaml'),
        ...(command === 'build' ? ['--out', path('x')] : [path('approved.yaml')]),
      ]);
      expect(clash.code).toBe(2);
      expect(clash.stderr).toContain('--config cannot be combined with --params, --enforcement');
    }
  });
});

describe('one selection for both commands', () => {
  it('selects the restricted profile by default in validate and in build', async () => {
    const restricted = profilePolicyIds('restricted', catalogue).sort();
    const validated = await cli(['validate', '--format', 'json', path('approved.yaml')]);
    expect([...new Set(report(validated.stdout).results.map((r) => r.policy))].sort()).toEqual(restricted);
    const out = mkdtempSync(join(dir, 'default-'));
    expect((await cli(['build', '--out', out])).code).toBe(0);
    const built = readdirSync(join(out, 'gatekeeper')).filter((d) => d !== 'profiles');
    expect(built.sort()).toEqual(restricted);
    // No hardening policy joins the default any more, even with its parameters given.
    const withParams = mkdtempSync(join(dir, 'default-params-'));
    await cli(['build', '--out', withParams, '--params', path('params.yaml')]);
    expect(
      readdirSync(join(withParams, 'gatekeeper'))
        .filter((d) => d !== 'profiles')
        .sort(),
    ).toEqual(restricted);
  });

  it('takes repeated and comma-separated ids, and rejects unknown ones, in both commands', async () => {
    const ids = ['disallow-host-path', 'disallow-host-ports', 'disallow-latest-tag'];
    const validated = await cli([
      'validate',
      '--format',
      'json',
      '--policy',
      `${ids[0]},${ids[1]}`,
      '--policy',
      ids[2] as string,
      path('approved.yaml'),
    ]);
    expect(report(validated.stdout).results.map((r) => r.policy)).toEqual(ids);
    const out = mkdtempSync(join(dir, 'lists-'));
    await cli(['build', '--out', out, '--policy', `${ids[0]},${ids[1]}`, '--policy', ids[2] as string]);
    expect(readdirSync(join(out, 'gatekeeper')).filter((d) => d !== 'profiles')).toEqual(ids);
    for (const command of ['validate', 'build']) {
      for (const flag of ['--policy', '--exclude-policy']) {
        const target = command === 'build' ? ['--out', path('x')] : [path('approved.yaml')];
        const unknown = await cli([command, flag, `${ids[0]},nope`, ...target]);
        expect(unknown.code).toBe(2);
        expect(unknown.stderr).toContain(
          `palisade ${command}: unknown policy "nope"; run 'palisade policies' to list them`,
        );
      }
    }
  });
});
