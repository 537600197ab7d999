import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonReport } from '@palisade/validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './index.js';

/**
 * Wrongly typed fields through `palisade validate` (issue 9): each is an `error` result for the policies that read
 * the field, naming it, with exit code 2; the other resources and policies keep their results.
 */

async function validate(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await run(['validate', ...argv], {
    stdout: { write: (chunk: string) => (stdout += chunk), isTTY: false },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: false },
    stdin: (async function* () {})(),
    env: {},
    now: () => new Date('2025-06-01T12:00:00Z'),
  });
  return { code, stdout, stderr };
}

const GOOD_CONTAINER = `    - name: app
      image: registry.example.com/app:1.0
      securityContext:
        allowPrivilegeEscalation: false
        capabilities: {drop: [ALL]}`;
const POD_SECURITY = `  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}`;

const MANIFESTS = {
  'privileged-string.yaml': `apiVersion: v1
kind: Pod
metadata: {name: privileged-string, namespace: shop}
spec:
${POD_SECURITY}
  containers:
${GOOD_CONTAINER}
        privileged: "true"
`,
  'containers-string.yaml': `apiVersion: v1
kind: Pod
metadata: {name: containers-string, namespace: shop}
spec:
${POD_SECURITY}
  containers: "nginx:latest"
`,
  'spec-number.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: spec-number, namespace: shop}
spec: 42
`,
  'template-list.yaml': `apiVersion: apps/v1
kind: Deployment
metadata: {name: template-list, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    - metadata: {labels: {app: web}}
      spec:
        containers:
          - name: app
            image: nginx
            securityContext: {privileged: true}
`,
  'good.yaml': `apiVersion: v1
kind: Pod
metadata: {name: good, namespace: shop}
spec:
${POD_SECURITY}
  containers:
${GOOD_CONTAINER}
`,
  'failing.yaml': `apiVersion: v1
kind: Pod
metadata: {name: failing, namespace: shop}
spec:
${POD_SECURITY}
  hostNetwork: true
  containers:
${GOOD_CONTAINER}
`,
};

let dir: string;
const path = (name: string) => join(dir, name);
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-types-'));
  for (const [name, text] of Object.entries(MANIFESTS)) writeFileSync(path(name), text);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const errorsOf = (report: JsonReport, name: string) =>
  report.results
    .filter((r) => r.resources[0]?.name === name && r.result === 'error')
    .map((r) => `${r.policy}: ${r.message}`);

describe('palisade validate on wrongly typed fields', () => {
  it('reports an error per policy that reads the field, exits 2, and keeps every other result', async () => {
    const result = await validate(['--format', 'json', ...Object.keys(MANIFESTS).map(path)]);
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.errors).toEqual([]);

    expect(errorsOf(report, 'privileged-string')).toEqual([
      'disallow-privileged-containers: cannot evaluate: expected a boolean at spec.containers[0].securityContext.privileged, found a string ("true")',
    ]);
    const containers = errorsOf(report, 'containers-string');
    expect(containers.length).toBeGreaterThan(5);
    for (const e of containers) {
      expect(e).toMatch(
        /: cannot evaluate: expected a list at spec\.containers, found a string \("nginx:latest"\)$/,
      );
    }
    const spec = errorsOf(report, 'spec-number');
    expect(spec.length).toBeGreaterThan(5);
    for (const e of spec)
      expect(e).toMatch(/: cannot evaluate: expected an object at spec, found a number \(42\)$/);
    const template = errorsOf(report, 'template-list');
    expect(template.length).toBeGreaterThan(5);
    for (const e of template)
      expect(e).toMatch(/: cannot evaluate: expected an object at spec\.template, found a list$/);
    // None of them passes a policy that reads the broken field: only policies that never read containers pass a
    // pod whose containers are a string, and nothing passes a Deployment whose pod template cannot be read.
    const passed = (name: string) =>
      report.results.filter((r) => r.resources[0]?.name === name && r.result === 'pass').map((r) => r.policy);
    expect(passed('containers-string')).toEqual([
      'disallow-host-namespaces',
      'restrict-sysctls',
      'restrict-volume-types',
    ]);
    expect(passed('spec-number')).toEqual([]);
    expect(passed('template-list')).toEqual([]);

    // The other resources keep their verdicts.
    const verdicts = (name: string) =>
      report.results.filter((r) => r.resources[0]?.name === name).map((r) => `${r.policy}:${r.result}`);
    expect(verdicts('good').every((v) => v.endsWith(':pass'))).toBe(true);
    expect(verdicts('failing')).toContain('disallow-host-namespaces:fail');
    expect(verdicts('privileged-string')).toContain('disallow-host-namespaces:pass');
    expect(report.summary.error).toBe(1 + containers.length + spec.length + template.length);
  });

  it('names the field and its line in the text report', async () => {
    const result = await validate([path('privileged-string.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(
      /ERROR disallow-privileged-containers: cannot evaluate: expected a boolean at spec\.containers\[0\]\.securityContext\.privileged, found a string \("true"\) \(line 14\)/,
    );
  });

  it('exits 1, not 2, when the only problems are findings', async () => {
    expect((await validate([path('good.yaml'), path('failing.yaml')])).code).toBe(1);
    expect((await validate([path('good.yaml')])).code).toBe(0);
  });
});
