import type { PolicyConfig } from '@palisade/core';
import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import { catalogueConfigs, catalogueFixtures, EXCEPTION_FORMS } from '@palisade/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Engine } from './engines.js';
import { checkGatekeeperLimits, OBJECT_BYTES } from './limits.js';
import { buildGatekeeperForTest } from './testing/build.js';
import { runDifferential } from './testing/differential.js';

const NOW = new Date('2025-01-01T00:00:00Z');
const ip = (i: number) => `172.${16 + ((i >> 16) & 15)}.${(i >> 8) & 255}.${i & 255}`;
const ips = (n: number) => Array.from({ length: n }, (_, i) => ip(i));

const withParams = (id: string, params: unknown): PolicyConfig => {
  const config = catalogueConfigs().find((c) => c.policy.id === id);
  if (!config) throw new Error(`no policy ${id}`);
  return { ...config, params };
};

const build = (config: PolicyConfig) => () =>
  buildGatekeeperForTest({ policies: [config], exceptions: [], fixtures: () => [], now: NOW });

describe('Gatekeeper target limits', () => {
  it('hold for every template and constraint of every catalogue policy, with every exception form', () => {
    const output = buildGatekeeperForTest({
      policies: catalogueConfigs(),
      exceptions: EXCEPTION_FORMS,
      fixtures: catalogueFixtures,
      now: NOW,
    });
    let documents = 0;
    for (const [path, content] of output.files) {
      if (!path.endsWith('/template.yaml') && !path.endsWith('/constraint.yaml')) continue;
      checkGatekeeperLimits(path.split('/')[0] as string, parse(content));
      documents++;
    }
    expect(documents).toBeGreaterThan(50);
  });

  it('fail the build naming the policy, the field and the limit', () => {
    // 100,000 IPs are data in the constraint, which is then over etcd's request size.
    expect(build(withParams('restrict-service-external-ips', { allowedIPs: ips(100_000) }))).toThrow(
      new RegExp(
        `^policy restrict-service-external-ips: the Constraint is [\\d,]+ bytes, over the limit of ${OBJECT_BYTES.toLocaleString('en-US')} \\(the default etcd request size\\)$`,
      ),
    );
    const config = withParams('restrict-service-external-ips', {});
    const long = { ...config, policy: { ...config.policy, id: `p-${'x'.repeat(70)}` } };
    expect(build(long)).toThrow(
      /^policy p-x+: the ConstraintTemplate label palisade.dev\/policy is 72 characters, over the limit of 63 \(Kubernetes label values\)$/,
    );
  });

  it.each<Engine>(['rego', 'cel'])(
    '5,000 allowedIPs travel as constraint data and give the validator verdicts in gator (%s)',
    { timeout: ENGINE_TEST_TIMEOUT_MS },
    async (engine) => {
      const allowed = ips(5_000);
      const config = withParams('restrict-service-external-ips', { allowedIPs: allowed });
      expect(build(config)).not.toThrow();
      const service = (id: string, externalIPs: string[]) => ({
        id,
        object: {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: id, namespace: 'shop' },
          spec: { ports: [{ port: 80 }], externalIPs },
        },
      });
      const result = await runDifferential({
        configs: [config],
        exceptions: [],
        corpus: [
          service('allowed', [allowed[0] as string, allowed[2_500] as string, allowed[4_999] as string]),
          service('one-denied', [allowed[0] as string, '10.0.19.137']),
          service('denied', ['203.0.113.10']),
        ],
        engine,
        now: NOW,
        batches: 1,
        messages: engine === 'rego' ? 'exact' : 'split',
      });
      expect(result.pairs).toBe(3);
      expect(result.denied).toBe(2);
      expect(result.disagreements.join('\n')).toBe('');
      expect(result.messageDisagreements.join('\n')).toBe('');
    },
  );
});
