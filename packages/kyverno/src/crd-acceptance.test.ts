import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import { type KubeCluster, startCluster } from '@palisade/kube-harness';
import {
  catalogueConfigs,
  createStrict,
  EXCEPTION_FORMS,
  HOSTILE_RESOURCE_EXCEPTION,
  manifests,
  type StrictAcceptance,
} from '@palisade/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildKyvernoForTest } from './testing/build.js';
import { kyvernoCrds } from './testing/crds.js';

/**
 * Every ClusterPolicy (kyverno.io/v1), ValidatingPolicy (policies.kyverno.io/v1) and PolicyException (kyverno.io/v2
 * and policies.kyverno.io/v1) `palisade build` writes for the whole catalogue, with parameters and every exception
 * form, is accepted by a real kube-apiserver with `fieldValidation=Strict` under Kyverno's own CRDs at the pinned
 * version, and stored without losing a field.
 */

const { files } = buildKyvernoForTest({
  policies: catalogueConfigs(),
  exceptions: [...EXCEPTION_FORMS, HOSTILE_RESOURCE_EXCEPTION],
  now: new Date('2025-06-01T00:00:00Z'),
});
const documents = (prefix: string) =>
  [...files]
    .filter(([p]) => p.startsWith(prefix) && !p.endsWith('kustomization.yaml') && p.endsWith('.yaml'))
    .flatMap(([, text]) => manifests(text));
const generated = {
  ClusterPolicy: documents('cluster-policies/'),
  ValidatingPolicy: documents('validating-policies/'),
  'PolicyException kyverno.io/v2': documents('exceptions/cluster-policies/'),
  'PolicyException policies.kyverno.io/v1': documents('exceptions/validating-policies/'),
};

const refused = (results: readonly StrictAcceptance[]) =>
  results.filter((r) => r.status !== 201 || r.problems.length > 0 || r.dropped.length > 0);

describe('Kyverno output in a real API server (Strict)', { timeout: ENGINE_TEST_TIMEOUT_MS }, () => {
  let cluster: KubeCluster;
  beforeAll(async () => {
    cluster = await startCluster();
    const { crds } = kyvernoCrds();
    for (const crd of crds) await cluster.apply(crd);
    await cluster.waitForCrds(crds.map((c) => (c.metadata as { name: string }).name));
    const namespaces = new Set(
      Object.values(generated)
        .flat()
        .map((d) => (d.metadata as { namespace?: string }).namespace)
        .filter((n): n is string => n !== undefined && n !== 'default'),
    );
    for (const name of namespaces)
      await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }, ENGINE_TEST_TIMEOUT_MS);
  afterAll(() => cluster?.stop());

  it('builds each kind for the catalogue', () => {
    expect(generated.ClusterPolicy.length).toBe(catalogueConfigs().length);
    expect(generated.ValidatingPolicy.length).toBe(catalogueConfigs().length);
    expect(generated['PolicyException kyverno.io/v2'].length).toBeGreaterThan(3);
    expect(generated['PolicyException policies.kyverno.io/v1'].length).toBeGreaterThan(3);
  });

  for (const [what, objects] of Object.entries(generated)) {
    it(`accepts every ${what} unchanged`, async () => {
      const results: StrictAcceptance[] = [];
      for (const object of objects) {
        expect(object.apiVersion, what).toMatch(
          /^(kyverno\.io\/v1|kyverno\.io\/v2|policies\.kyverno\.io\/v1)$/,
        );
        results.push(await createStrict(cluster, object));
      }
      expect(refused(results)).toEqual([]);
    });
  }

  it('would see a field the schema does not have (the check can fail)', async () => {
    const [first] = generated.ValidatingPolicy;
    if (!first) throw new Error('no ValidatingPolicy');
    const metadata = { ...(first.metadata as object), name: 'unknown-field' };
    const spec = { ...(first.spec as object), notInTheSchema: true };
    const result = await createStrict(cluster, { ...first, metadata, spec });
    expect(result.status).toBe(400);
    expect(result.problems.join()).toMatch(/unknown field "spec.notInTheSchema"/);
  });
});
