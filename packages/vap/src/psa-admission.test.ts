import { podArbitrary } from '@palisade/arbitraries';
import { type PssLevel, selectPolicies } from '@palisade/core';
import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import { type KubeCluster, type KubeResponse, startCluster } from '@palisade/kube-harness';
import { catalogue } from '@palisade/policies';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  boundVaps,
  costError,
  inParallel,
  installVaps,
  message,
  psaDenied,
  VAP_PROFILE_LABEL,
  vapDenied,
} from './testing/profile-admission.js';

/**
 * Pod Security Admission as a second oracle, in the same kube-apiserver: for every generated Pod, dry-run created
 * in a namespace labelled `pod-security.kubernetes.io/enforce=<level>` (enforce-version latest, no VAPs) and in one
 * without the label but with Palisade's <level> profile as enforcing VAPs bound to it, admit/deny must be equal.
 * Pods only: for controllers PSA only warns. Ephemeral containers are left out (a create may not set them).
 * PSA's `latest` is the API server's minor (v1.36 for 1.36.3), so Palisade's profiles are built at that version:
 * Palisade's own latest (v1.37) allows net.ipv4.tcp_slow_start_after_idle and net.ipv4.tcp_notsent_lowat, which
 * 1.36's PSA forbids (a disagreement this test found when both were `latest`).
 *
 * CI: 1,000 valid Pods, each at both levels. More: PALISADE_PSA_PODS=20000.
 */

const PODS = Number(process.env.PALISADE_PSA_PODS ?? 1_000);
const SEED = Number(process.env.PALISADE_PSA_SEED ?? 20261202);
const LEVELS: PssLevel[] = ['baseline', 'restricted'];
const CONCURRENCY = 4;

/** PSA's `latest` is the API server's own minor: v1.36.3 -> v1.36. */
const serverMinor = (gitVersion: string): string => {
  const minor = /^v(\d+\.\d+)\./.exec(gitVersion)?.[1];
  if (!minor) throw new Error(`unexpected API server version ${gitVersion}`);
  return `v${minor}`;
};

type Outcome = 'admitted' | 'denied' | 'invalid';

const PRIVILEGED_POD = (namespace: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'canary', namespace },
  spec: {
    containers: [{ name: 'c', image: 'registry.example/app:1', securityContext: { privileged: true } }],
  },
});

function outcome(response: KubeResponse, denied: (r: KubeResponse) => boolean): Outcome {
  if (costError(response)) throw new Error(`CEL cost error: ${message(response)}`);
  if (response.status === 201 || response.status === 200) return 'admitted';
  return denied(response) ? 'denied' : 'invalid';
}

/** What the restricted profile asks of every container, over what the container has (its other fields stay). */
const RESTRICTED_CONTEXT = {
  allowPrivilegeEscalation: false,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/**
 * Half of the Pods get RESTRICTED_CONTEXT on each container: the arbitrary's Pods almost never pass restricted
 * otherwise, and an oracle that only ever denies proves little. The rest of each Pod (volumes, host namespaces,
 * sysctls, probes, other securityContext fields) stays as generated, so restricted still denies many of them.
 */
function hardened(spec: Record<string, unknown>): Record<string, unknown> {
  const harden = (containers: unknown) =>
    Array.isArray(containers)
      ? containers.map((c: Record<string, unknown>) => ({
          ...c,
          securityContext: { ...((c.securityContext as object | null) ?? {}), ...RESTRICTED_CONTEXT },
        }))
      : containers;
  return { ...spec, containers: harden(spec.containers), initContainers: harden(spec.initContainers) };
}

/**
 * `count` generated Pods the API server accepts as Pods: the arbitrary is adversarial and most of its Pods fail
 * the API's own validation (which runs before any admission plugin, so neither oracle sees them). Each is dry-run
 * created in a namespace with no policy first; only the admitted ones are compared.
 */
async function validPods(
  cluster: KubeCluster,
  count: number,
): Promise<{ pods: Record<string, unknown>[]; tried: number }> {
  const found: Record<string, unknown>[] = [];
  let tried = 0;
  for (let batch = 0; found.length < count; batch++) {
    if (tried >= count * 40) throw new Error(`only ${found.length} of ${tried} generated Pods are valid`);
    const sample = fc.sample(podArbitrary, { seed: SEED + batch, numRuns: 2_000 }).map((pod, i) => {
      const { ephemeralContainers: _, ...generatedSpec } = pod.spec as Record<string, unknown>;
      const spec = i % 2 === 0 ? generatedSpec : hardened(generatedSpec);
      return {
        ...pod,
        metadata: { ...(pod.metadata as object), name: `p-${batch}-${i}`, namespace: 'plain' },
        spec,
      };
    });
    tried += sample.length;
    const admitted = await inParallel(sample, CONCURRENCY, async (pod) => {
      const response = await cluster.create(pod, { dryRun: true, fieldValidation: 'Ignore' });
      return response.status === 201;
    });
    found.push(...sample.filter((_, i) => admitted[i]));
  }
  return { pods: found.slice(0, count), tried };
}

describe('Palisade VAPs agree with in-tree Pod Security Admission', {
  timeout: ENGINE_TEST_TIMEOUT_MS,
}, () => {
  let cluster: KubeCluster;
  let generated: Record<string, unknown>[];
  beforeAll(async () => {
    cluster = await startCluster();
    await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'plain' } });
    const valid = await validPods(cluster, PODS);
    generated = valid.pods;
    console.log(`${generated.length} valid Pods of ${valid.tried} generated`);
    for (const level of LEVELS) {
      await cluster.apply({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: `psa-${level}`,
          labels: {
            'pod-security.kubernetes.io/enforce': level,
            'pod-security.kubernetes.io/enforce-version': 'latest',
          },
        },
      });
      await cluster.apply({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: `vap-${level}`, labels: { [VAP_PROFILE_LABEL]: level } },
      });
      const policies = selectPolicies(catalogue, { profile: level, version: serverMinor(cluster.version) });
      await installVaps(cluster, boundVaps(policies, level), PRIVILEGED_POD(`vap-${level}`));
    }
  }, ENGINE_TEST_TIMEOUT_MS);
  afterAll(() => cluster?.stop());

  for (const level of LEVELS) {
    it(`admits and denies the same Pods at ${level} (PSA enforce-version latest, Palisade at the server minor)`, async () => {
      const results = await inParallel(generated, CONCURRENCY, async (pod) => {
        const at = (ns: string) =>
          cluster.create(
            { ...pod, metadata: { ...(pod.metadata as object), namespace: ns } },
            { dryRun: true, fieldValidation: 'Ignore' },
          );
        const [psa, vap] = [await at(`psa-${level}`), await at(`vap-${level}`)];
        return {
          pod,
          psa: outcome(psa, psaDenied),
          vap: outcome(vap, vapDenied),
          psaMessage: message(psa),
          vapMessage: message(vap),
        };
      });
      const disagreements = results.filter((r) => r.psa !== r.vap);
      for (const d of disagreements.slice(0, 5)) {
        console.error(
          `${level}: PSA ${d.psa}, VAP ${d.vap}\n  PSA: ${d.psaMessage}\n  VAP: ${d.vapMessage}\n  pod: ${JSON.stringify(d.pod)}`,
        );
      }
      const counts = (o: Outcome) => results.filter((r) => r.psa === o && r.vap === o).length;
      console.log(
        `${level}: ${results.length} pods, admitted ${counts('admitted')}, denied ${counts('denied')}, invalid ${counts('invalid')}, disagreements ${disagreements.length}`,
      );
      expect(
        disagreements.map((d) => ({
          psa: d.psa,
          vap: d.vap,
          psaMessage: d.psaMessage,
          vapMessage: d.vapMessage,
        })),
      ).toEqual([]);
      expect(results.filter((r) => r.psa !== 'invalid').length).toBe(PODS);
      expect(counts('admitted')).toBeGreaterThan(0);
      expect(counts('denied')).toBeGreaterThan(0);
    });
  }
});
