import { celLiteral, paramVariables } from '@palisade/cel';
import type { Json, PolicyConfig } from '@palisade/core';
import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import { catalogueConfigs, EXCEPTION_FORMS } from '@palisade/testing';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CEL_EXPRESSION_CODE_POINTS, checkKyvernoLimits, codePoints, OBJECT_BYTES } from './limits.js';
import { buildKyvernoForTest } from './testing/build.js';
import { runKyvernoDifferential } from './testing/differential.js';

const NOW = new Date('2025-01-01T00:00:00Z');
const ip = (i: number) => `172.${16 + ((i >> 16) & 15)}.${(i >> 8) & 255}.${i & 255}`;
const ips = (n: number) => Array.from({ length: n }, (_, i) => ip(i));

const withParams = (id: string, params: unknown): PolicyConfig => {
  const config = catalogueConfigs().find((c) => c.policy.id === id);
  if (!config) throw new Error(`no policy ${id}`);
  return { ...config, params };
};

/** Every variable reads only variables bound before it, and none is over `max`. */
function expectWellFormed(variables: { name: string; expression: string }[], max: number): void {
  const seen = new Set<string>();
  for (const { name, expression } of variables) {
    expect(codePoints(expression), name).toBeLessThanOrEqual(max);
    for (const [, used] of expression.matchAll(/variables\.(\w+)/g))
      expect(seen.has(used as string)).toBe(true);
    seen.add(name);
  }
}

describe('parameters bound as CEL variables', () => {
  it('are one literal when it fits (every catalogue default)', () => {
    const value: Json = { allowedIPs: ips(10), n: 1 };
    expect(paramVariables(value, 'policy p')).toEqual([{ name: 'params', expression: celLiteral(value) }]);
  });

  it('split lists and maps into variables none over the limit, in layers when even the sum is too long', () => {
    const value: Json = { a: ips(500), b: { c: ips(300), d: 'x' }, e: [[...ips(200)], 'y'] };
    for (const max of [120, 400, 5_000]) {
      const variables = paramVariables(value, 'policy p', 'params', max);
      expect(variables.length).toBeGreaterThan(2);
      expect(variables.at(-1)?.name).toBe('params');
      expectWellFormed(variables, max);
    }
  });

  it('refuse a single string over the limit, naming the policy and the limit', () => {
    expect(() => paramVariables({ a: 'x'.repeat(CEL_EXPRESSION_CODE_POINTS) }, 'policy p')).toThrow(
      'policy p: a parameter value as a CEL literal is 100,002 characters, over the limit of 100,000 (the CEL parser of Kyverno and Kubernetes)',
    );
  });
});

describe('target limits', () => {
  it('hold for every generated document of every catalogue policy, with every exception form', () => {
    const output = buildKyvernoForTest({
      policies: catalogueConfigs(),
      exceptions: EXCEPTION_FORMS,
      now: NOW,
    });
    let documents = 0;
    for (const [path, content] of output.files) {
      if (!path.endsWith('/policy.yaml') && !path.startsWith('exceptions/')) continue;
      for (const document of parseAllDocuments(content)) {
        const doc = document.toJS() as Record<string, unknown>;
        if (doc.kind === 'Kustomization') continue;
        checkKyvernoLimits(path, doc);
        documents++;
      }
    }
    expect(documents).toBeGreaterThan(50);
  });

  it('fail the build naming the policy, the target field and the limit', () => {
    const build = (config: PolicyConfig) => () =>
      buildKyvernoForTest({ policies: [config], exceptions: [], now: NOW });
    expect(build(withParams('restrict-image-registries', { registries: ['r'.repeat(120_000)] }))).toThrow(
      'policy restrict-image-registries: a parameter value as a CEL literal is 120,002 characters, over the limit of 100,000',
    );
    // 70,000 IPs bind as CEL variables, but the ClusterPolicy holding them is over etcd's request size.
    expect(build(withParams('restrict-service-external-ips', { allowedIPs: ips(70_000) }))).toThrow(
      new RegExp(
        `^policy restrict-service-external-ips: the ClusterPolicy is [\\d,]+ bytes, over the limit of ${OBJECT_BYTES.toLocaleString('en-US')} \\(the default etcd request size\\)$`,
      ),
    );
    const config = withParams('restrict-service-external-ips', {});
    const long = { ...config, policy: { ...config.policy, id: `p-${'x'.repeat(70)}` } };
    expect(build(long)).toThrow(
      /^policy p-x+: the ClusterPolicy name is 72 characters, over the limit of 63/,
    );
  });

  it(
    '5,000 allowedIPs build, compile and give the validator verdicts in kyverno apply (both kinds)',
    async () => {
      const allowed = ips(5_000);
      const config = withParams('restrict-service-external-ips', { allowedIPs: allowed });
      const policy = buildKyvernoForTest({ policies: [config], exceptions: [], now: NOW }).files.get(
        'cluster-policies/restrict-service-external-ips/policy.yaml',
      );
      // One literal would be over the CEL limit (the 103,108 code points): the list is bound in chunks.
      expect(codePoints(celLiteral({ allowedIPs: allowed }))).toBeGreaterThan(CEL_EXPRESSION_CODE_POINTS);
      expect(policy).toContain('name: params_1');
      // IPs at both ends of the list and of each chunk, and IPs not in it.
      const probes = [0, 1, 2_400, 2_500, 2_600, 4_999].map((i) => allowed[i] as string);
      const service = (name: string, externalIPs: string[]) => ({
        id: name,
        object: {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name, namespace: 'shop' },
          spec: { ports: [{ port: 80 }], externalIPs },
        },
      });
      const corpus = [
        service('all-allowed', probes),
        service('allowed-first', [allowed[0] as string]),
        service('allowed-last', [allowed[4_999] as string]),
        service('one-denied', [...probes, '10.0.19.137']),
        service('denied', ['203.0.113.10']),
      ];
      const report = await runKyvernoDifferential([config], corpus, { now: NOW, compareMessages: true });
      expect(report.evaluations).toBe(2 * corpus.length);
      expect(report.denied).toBe(4); // 2 objects × 2 kinds
      expect(report.disagreements.join('\n')).toBe('');
    },
    ENGINE_TEST_TIMEOUT_MS,
  );
});
