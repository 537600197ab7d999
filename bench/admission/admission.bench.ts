/**
 * Admission latency in a real kube-apiserver (etcd + kube-apiserver from @palisade/engines, 127.0.0.1): the same
 * realistic Pods, each passing the restricted profile, server-side dry-run created in three namespaces of one API
 * server in one run: (a) no policy, (b) the in-tree PodSecurity plugin at restricted (namespace label,
 * enforce-version latest), (c) Palisade's restricted profile as enforcing ValidatingAdmissionPolicies bound to the
 * namespace (built at the server's PSS minor). Per Pod the three are sent back to back, in rotating order, one
 * request in flight, after a warm-up; reports p50/p99/mean and what (b) and (c) add over (a). Goal: (c) adds no
 * more than twice what (b) adds. With `--per-policy`, each restricted policy is also measured alone (which costs
 * most). See docs/performance.md, "Admission latency".
 *
 * Reproduce: `pnpm bench:admission` (knobs: `-- --pods 2000 --warmup 200 --seed 1 --per-policy`).
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { selectPolicies } from '@palisade/core';
import { type KubeCluster, type KubeResponse, startCluster } from '@palisade/kube-harness';
import { catalogue } from '@palisade/policies';
import { seededRandom } from '@palisade/testing';
import { largePod } from '../../packages/vap/src/testing/large-objects.js';
// The vap package's test helpers (not part of its public API).
import {
  boundVaps,
  installVaps,
  message,
  VAP_PROFILE_LABEL,
} from '../../packages/vap/src/testing/profile-admission.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    pods: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
    'per-policy': { type: 'boolean', default: false },
  },
});
const podCount = Number(values.pods);
const warmup = Number(values.warmup);
if (!(podCount >= 1 && warmup >= 0)) throw new Error('--pods must be positive and --warmup not negative');

/** Small Pods as applications write them: 1-3 containers, a few ports, env and volumes, restricted-compliant. */
function realisticPods(count: number, seed: number, namespace: string): Record<string, unknown>[] {
  const random = seededRandom(seed);
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  return Array.from({ length: count }, (_, i) =>
    largePod(
      {
        containers: between(1, 3),
        initContainers: between(0, 1),
        portsPerContainer: between(1, 2),
        envPerContainer: between(2, 8),
        volumes: between(1, 4),
        dropCapabilities: 1,
      },
      `p-${i}`,
      namespace,
    ),
  );
}

const serverMinor = (gitVersion: string) => `v${/^v(\d+\.\d+)\./.exec(gitVersion)?.[1] ?? '?'}`;
const privileged = (namespace: string) => {
  const pod = largePod(
    {
      containers: 1,
      initContainers: 0,
      portsPerContainer: 1,
      envPerContainer: 1,
      volumes: 1,
      dropCapabilities: 1,
    },
    'canary',
    namespace,
  );
  (pod.spec as { hostPID?: boolean }).hostPID = true;
  return pod;
};

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}
const stats = (ms: readonly number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: ms.reduce((a, b) => a + b, 0) / ms.length,
  };
};
const fmt = (n: number) => n.toFixed(3);

async function timedCreate(
  cluster: KubeCluster,
  pod: Record<string, unknown>,
  namespace: string,
): Promise<number> {
  const object = { ...pod, metadata: { ...(pod.metadata as object), namespace } };
  const start = process.hrtime.bigint();
  const response: KubeResponse = await cluster.create(object, { dryRun: true });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (response.status !== 201)
    throw new Error(`${namespace}: pod refused: ${response.status} ${message(response)}`);
  return ms;
}

/** Latencies per namespace, each Pod sent to every namespace back to back in rotating order. */
async function measure(
  cluster: KubeCluster,
  namespaces: readonly string[],
  pods: readonly Record<string, unknown>[],
) {
  const latencies = new Map(namespaces.map((n) => [n, [] as number[]]));
  for (const [i, pod] of pods.entries()) {
    for (let k = 0; k < namespaces.length; k++) {
      const namespace = namespaces[(i + k) % namespaces.length] as string;
      latencies.get(namespace)?.push(await timedCreate(cluster, pod, namespace));
    }
  }
  return latencies;
}

const cluster = await startCluster();
try {
  const minor = serverMinor(cluster.version);
  const restricted = selectPolicies(catalogue, { profile: 'restricted', version: minor });
  const ns = (name: string, labels: Record<string, string> = {}) =>
    cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  await ns('none');
  await ns('psa', {
    'pod-security.kubernetes.io/enforce': 'restricted',
    'pod-security.kubernetes.io/enforce-version': 'latest',
  });
  await ns('vap', { [VAP_PROFILE_LABEL]: 'restricted' });
  await cluster.apply({
    apiVersion: 'node.k8s.io/v1',
    kind: 'RuntimeClass',
    metadata: { name: 'gvisor' },
    handler: 'runsc',
  });
  await installVaps(cluster, boundVaps(restricted, 'restricted'), privileged('vap'));
  const namespaces = ['none', 'psa', 'vap'];
  await measure(cluster, namespaces, realisticPods(warmup, Number(values.seed) + 1, 'x'));
  const results = await measure(cluster, namespaces, realisticPods(podCount, Number(values.seed), 'x'));
  const [none, psa, vap] = namespaces.map((n) => stats(results.get(n) ?? []));
  if (!none || !psa || !vap) throw new Error('no results');
  console.log(
    `kube-apiserver ${cluster.version}, ${podCount} Pods (+${warmup} warm-up), one request in flight; ${cpus().length} x ${cpus()[0]?.model}, ${Math.round(totalmem() / 2 ** 30)} GiB, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; ${new Date().toISOString()}`,
  );
  console.log('config                         p50 ms   p99 ms  mean ms  added p50  added mean');
  const row = (label: string, s: typeof none) =>
    console.log(
      `${label.padEnd(29)} ${fmt(s.p50).padStart(7)}  ${fmt(s.p99).padStart(7)}  ${fmt(s.mean).padStart(7)}  ${fmt(s.p50 - none.p50).padStart(9)}  ${fmt(s.mean - none.mean).padStart(10)}`,
    );
  row('(a) no policy', none);
  row('(b) PSA restricted', psa);
  row(`(c) Palisade VAPs (${restricted.length})`, vap);
  // PSA's added latency is often within noise (even negative): the goal is then judged against zero, not a ratio.
  const psaAdded = Math.max(psa.p50 - none.p50, 0);
  const vapAdded = vap.p50 - none.p50;
  console.log(
    `added at p50: PSA ${fmt(psaAdded)} ms, VAPs ${fmt(vapAdded)} ms; goal (VAPs <= 2 x PSA = ${fmt(2 * psaAdded)} ms): ${vapAdded <= 2 * psaAdded ? 'met' : 'MISSED'}`,
  );

  if (values['per-policy']) {
    // Each policy alone in its own namespace, against the same no-policy namespace, to see which costs most.
    const pods = realisticPods(Math.min(podCount, 500), Number(values.seed) + 2, 'x');
    for (const config of restricted) {
      const id = config.policy.id;
      await ns(`one-${id}`, { [VAP_PROFILE_LABEL]: `one-${id}` });
    }
    for (const config of restricted) {
      const id = config.policy.id;
      const objects = boundVaps([config], `one-${id}`);
      for (const o of objects) await cluster.apply(o);
    }
    // The floor: one VAP whose only validation is `true`, same match, bound the same way.
    await ns('one-trivial', { [VAP_PROFILE_LABEL]: 'one-trivial' });
    const [firstPolicy, firstBinding] = boundVaps(restricted.slice(0, 1), 'one-trivial') as [
      Record<string, unknown>,
      Record<string, unknown>,
    ];
    const trivialSpec = firstPolicy.spec as Record<string, unknown>;
    await cluster.apply({
      ...firstPolicy,
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: trivialSpec.matchConstraints,
        validations: [{ expression: 'true' }],
      },
    });
    await cluster.apply(firstBinding);
    await new Promise((r) => setTimeout(r, 3_000));
    const perPolicy = await measure(
      cluster,
      ['none', 'one-trivial', ...restricted.map((c) => `one-${c.policy.id}`)],
      pods,
    );
    const trivial = stats(perPolicy.get('one-trivial') ?? []);
    const base = stats(perPolicy.get('none') ?? []);
    console.log(
      `\nper policy alone (${pods.length} Pods): added p50 / added mean over no policy (p50 ${fmt(base.p50)}, mean ${fmt(base.mean)})`,
    );
    const rows = restricted
      .map((c) => ({ id: c.policy.id, s: stats(perPolicy.get(`one-${c.policy.id}`) ?? []) }))
      .sort((a, b) => b.s.mean - a.s.mean);
    const floor = '(a VAP validating only `true`)';
    console.log(
      `${floor.padEnd(32)} ${fmt(trivial.p50 - base.p50).padStart(7)}  ${fmt(trivial.mean - base.mean).padStart(7)}`,
    );
    for (const { id, s } of rows)
      console.log(
        `${id.padEnd(32)} ${fmt(s.p50 - base.p50).padStart(7)}  ${fmt(s.mean - base.mean).padStart(7)}`,
      );
  }
} finally {
  await cluster.stop();
}
