import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isExceptionDocument, policyConfigs } from '@palisade/cdk8s';
import { exceptionFromDocument } from '@palisade/core';
import { ENGINE_TEST_TIMEOUT_MS, enginePath } from '@palisade/engines';
import { buildKyvernoOutput } from '@palisade/kyverno';
import { type Chart, Testing, Yaml } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { everyConstructWithDefaults } from './__fixtures__/every-construct.js';
import { REGISTRY } from './images.js';
import { ShopChart } from './shop.js';

interface ReportResult {
  policy: string;
  result: string;
  message?: string;
  resources?: { kind?: string; name?: string }[];
}

/**
 * Generates the Kyverno policies of the restricted profile and every hardening policy, with the chart's own
 * exceptions as Kyverno PolicyExceptions, and runs the real `kyverno apply` on the chart's resources, once with
 * the ClusterPolicies and once with the ValidatingPolicies. Returns the failing results of each.
 */
function kyvernoFailures(
  chart: Chart,
  withExceptions = true,
): Record<'cluster-policies' | 'validating-policies', string[]> {
  const docs = Testing.synth(chart) as Record<string, unknown>[];
  const exceptions = withExceptions
    ? docs.filter(isExceptionDocument).map((d) => exceptionFromDocument(d))
    : [];
  const output = buildKyvernoOutput({
    policies: policyConfigs({ allowedRegistries: [REGISTRY], runtimeClasses: ['gvisor'] }),
    exceptions,
  });
  const dir = mkdtempSync(join(tmpdir(), 'palisade-cdk8s-kyverno-'));
  for (const [path, text] of output.files) {
    if (!/^(cluster-policies|validating-policies|exceptions)\/.*\/[^/]+\.yaml$/.test(path)) continue;
    if (path.endsWith('kustomization.yaml')) continue;
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  writeFileSync(join(dir, 'manifests.yaml'), Yaml.stringify(...docs.filter((d) => !isExceptionDocument(d))));
  const failures = { 'cluster-policies': [] as string[], 'validating-policies': [] as string[] };
  for (const kind of ['cluster-policies', 'validating-policies'] as const) {
    const args = ['apply', join(dir, kind), '--resource', join(dir, 'manifests.yaml')];
    for (const path of output.files.keys()) {
      if (path.startsWith(`exceptions/${kind}/`) && !path.endsWith('kustomization.yaml')) {
        args.push('--exception', join(dir, path));
      }
    }
    let stdout: string;
    try {
      stdout = execFileSync(enginePath('kyverno'), [...args, '-p', '--output-format', 'json'], {
        encoding: 'utf8',
        maxBuffer: 1 << 28,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; message: string };
      if (!e.stdout?.includes('{')) throw new Error(`kyverno apply failed: ${e.stderr ?? ''}${e.message}`);
      stdout = e.stdout;
    }
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { results?: ReportResult[] };
    expect(report.results?.length ?? 0).toBeGreaterThan(0);
    for (const r of report.results ?? []) {
      if (r.result === 'fail' || r.result === 'warn' || r.result === 'error') {
        failures[kind].push(`${r.resources?.[0]?.kind} ${r.resources?.[0]?.name}: ${r.policy}: ${r.message}`);
      }
    }
  }
  return failures;
}

describe('construct output in the real Kyverno CLI with the generated policies', () => {
  it(
    'every construct with its defaults passes restricted + hardening, in both policy kinds',
    () => {
      expect(kyvernoFailures(everyConstructWithDefaults())).toEqual({
        'cluster-policies': [],
        'validating-policies': [],
      });
    },
    ENGINE_TEST_TIMEOUT_MS,
  );

  it(
    'the shop app passes, its relaxed worker excepted by the PolicyException the construct emits',
    () => {
      expect(kyvernoFailures(new ShopChart(Testing.app(), 'shop'))).toEqual({
        'cluster-policies': [],
        'validating-policies': [],
      });
      // Without the emitted exception, the worker's relaxation fails in both kinds, and nothing else does.
      const unexcepted = kyvernoFailures(new ShopChart(Testing.app(), 'shop'), false);
      for (const failures of Object.values(unexcepted)) {
        expect(failures.length).toBeGreaterThan(0);
        expect(failures.filter((f) => !f.startsWith('Deployment worker: require-ro-rootfs'))).toEqual([]);
      }
    },
    ENGINE_TEST_TIMEOUT_MS,
  );
});
