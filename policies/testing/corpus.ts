import { join } from 'node:path';
import { podArbitrary } from '@palisade/arbitraries';
import fc from 'fast-check';
import { CONTROLLER_KINDS, catalogueDir, loadFixtureSets, wrapPodInController } from '../fixtures.js';
import { catalogue } from '../index.js';

/**
 * Corpora for differential tests between targets: the same objects go through the validator and each real
 * engine, and verdicts per policy must agree.
 */
export interface CorpusObject {
  /** A stable, file-name-safe id. */
  id: string;
  object: Record<string, unknown>;
}

/** The catalogue's folder: one sub-folder per policy, holding its fixtures. */
export const policiesDir = catalogueDir;

/**
 * Every fixture of every catalogue policy, of every parameter setting (each policy's own fixtures; objects may
 * repeat across policies).
 */
export function fixtureCorpus(): CorpusObject[] {
  return catalogue.flatMap((policy) =>
    loadFixtureSets(join(policiesDir, policy.id)).flatMap((set) =>
      set.fixtures.map((f) => ({
        id: `${policy.id}--${f.name.replaceAll('/', '-')}`,
        object: f.object,
      })),
    ),
  );
}

const serviceArbitrary = fc
  .record({
    n: fc.integer({ min: 0, max: 1_000_000 }),
    namespace: fc.constantFrom(undefined, 'default', 'shop'),
    type: fc.constantFrom(undefined, 'ClusterIP', 'NodePort', 'LoadBalancer'),
    externalIPs: fc.constantFrom(undefined, [], ['203.0.113.10'], ['198.51.100.1', '203.0.113.10']),
  })
  .map(({ n, namespace, type, externalIPs }) => {
    const spec: Record<string, unknown> = { selector: { app: 'web' }, ports: [{ port: 80 }] };
    if (type !== undefined) spec.type = type;
    if (externalIPs !== undefined) spec.externalIPs = externalIPs;
    const metadata: Record<string, unknown> = { name: `svc-${n}` };
    if (namespace !== undefined) metadata.namespace = namespace;
    return { apiVersion: 'v1', kind: 'Service', metadata, spec };
  });

const serviceAccountArbitrary = fc
  .record({ n: fc.integer({ min: 0, max: 1_000_000 }), automount: fc.constantFrom(undefined, true, false) })
  .map(({ n, automount }) => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: `sa-${n}`, namespace: 'shop' },
    ...(automount === undefined ? {} : { automountServiceAccountToken: automount }),
  }));

/**
 * `size` generated objects: Pods in every controller form (each Pod kind in turn), plus Services and
 * ServiceAccounts for the hardening policies. Seeded, so a failure replays.
 */
export function generatedCorpus(size: number, seed: number): CorpusObject[] {
  const kinds = ['Pod', ...CONTROLLER_KINDS] as const;
  const podCount = Math.ceil(size * 0.9);
  const pods = fc.sample(podArbitrary, { numRuns: podCount, seed });
  const others = fc.sample(fc.oneof(serviceArbitrary, serviceAccountArbitrary), {
    numRuns: size - podCount,
    seed,
  });
  return [
    ...pods.map((pod, i) => {
      const kind = kinds[i % kinds.length] as (typeof kinds)[number];
      const withNamespace = { ...pod, metadata: { ...(pod.metadata as object), namespace: 'shop' } };
      return {
        id: `gen-${i}-${kind.toLowerCase()}`,
        object: kind === 'Pod' ? withNamespace : wrapPodInController(withNamespace, kind),
      };
    }),
    ...others.map((object, i) => ({
      id: `gen-${podCount + i}-${String(object.kind).toLowerCase()}`,
      object,
    })),
  ];
}
