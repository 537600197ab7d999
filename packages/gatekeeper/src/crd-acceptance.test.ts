import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import { type KubeCluster, startCluster } from '@palisade/kube-harness';
import {
  catalogueConfigs,
  createStrict,
  EXCEPTION_FORMS,
  HOSTILE_EXCEPTION,
  manifests,
  type StrictAcceptance,
} from '@palisade/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGatekeeperForTest } from './testing/build.js';
import { constraintCrd, constraintTemplateCrd } from './testing/crds.js';

/**
 * Every ConstraintTemplate and Constraint `palisade build` writes for the whole catalogue (parameters of each
 * policy's fixtures, every exception form) is accepted by a real kube-apiserver with `fieldValidation=Strict` and
 * stored without losing a field. The ConstraintTemplate CRD is Gatekeeper's own at the pinned version (read from
 * the Go module cache); each constraint's CRD is built from its template the way Gatekeeper's controller builds
 * it (testing/crds.ts), since no controller runs here.
 */

const { files } = buildGatekeeperForTest({
  policies: catalogueConfigs(),
  exceptions: [...EXCEPTION_FORMS, HOSTILE_EXCEPTION],
  now: new Date('2025-06-01T00:00:00Z'),
});
const templates = [...files].filter(([p]) => p.endsWith('/template.yaml')).flatMap(([, t]) => manifests(t));
const constraints = [...files]
  .filter(([p]) => p.endsWith('/constraint.yaml'))
  .flatMap(([, t]) => manifests(t));

const refused = (results: readonly StrictAcceptance[]) =>
  results.filter((r) => r.status !== 201 || r.problems.length > 0 || r.dropped.length > 0);

describe('Gatekeeper output in a real API server (Strict)', { timeout: ENGINE_TEST_TIMEOUT_MS }, () => {
  let cluster: KubeCluster;
  beforeAll(async () => {
    cluster = await startCluster();
    const { crd } = constraintTemplateCrd();
    await cluster.apply(crd);
    await cluster.waitForCrds([String((crd.metadata as { name: string }).name)]);
  }, ENGINE_TEST_TIMEOUT_MS);
  afterAll(() => cluster?.stop());

  it('builds a template and a constraint for every catalogue policy', () => {
    expect(templates.length).toBe(catalogueConfigs().length);
    expect(constraints.length).toBe(templates.length);
  });

  it('accepts every ConstraintTemplate unchanged', async () => {
    const results: StrictAcceptance[] = [];
    for (const template of templates) results.push(await createStrict(cluster, template));
    expect(refused(results)).toEqual([]);
  });

  it('accepts every Constraint unchanged under the CRD its template makes', async () => {
    const crds = templates.map(constraintCrd);
    for (const crd of crds) await cluster.apply(crd);
    await cluster.waitForCrds(crds.map((c) => (c.metadata as { name: string }).name));
    const results: StrictAcceptance[] = [];
    for (const constraint of constraints) results.push(await createStrict(cluster, constraint));
    expect(refused(results)).toEqual([]);
  });

  it('would see a field the schema does not have (the check can fail)', async () => {
    const [first] = constraints;
    if (!first) throw new Error('no constraint');
    const metadata = { ...(first.metadata as object), name: 'unknown-field' };
    const spec = { ...(first.spec as object), notInTheSchema: true };
    const result = await createStrict(cluster, { ...first, metadata, spec });
    expect(result.status).toBe(400);
    expect(result.problems.join()).toMatch(/unknown field "spec.notInTheSchema"/);
  });
});
