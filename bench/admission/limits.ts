/**
 * Where the restricted + hardening ValidatingAdmissionPolicies stop fitting: with all of them enforcing, one list
 * of a large valid Pod (packages/vap/src/testing/large-objects.ts) is doubled until the API server reports a CEL
 * cost error (naming the policy), refuses the request as too large, or the time budget is spent. Slow (a request
 * on a 400-container Pod takes seconds), so not in CI. Figures: docs/targets.md, "ValidatingAdmissionPolicy limits".
 *
 * Run: `pnpm bench:admission-limits` (knobs: `-- --dimensions containers,volumes --budget-s 600`).
 */
import { parseArgs } from 'node:util';
import { startCluster } from '@palisade/kube-harness';
import { restrictedAndHardening } from '@palisade/testing';
import { LARGE_POD, largePod, type PodSize } from '../../packages/vap/src/testing/large-objects.js';
// The vap package's test helpers (not part of its public API).
import {
  boundVaps,
  costError,
  installVaps,
  message,
  VAP_PROFILE_LABEL,
} from '../../packages/vap/src/testing/profile-admission.js';

const DIMENSIONS = [
  'containers',
  'initContainers',
  'portsPerContainer',
  'envPerContainer',
  'volumes',
  'dropCapabilities',
] as const;
type Dimension = (typeof DIMENSIONS)[number];
const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    dimensions: { type: 'string', default: DIMENSIONS.join(',') },
    'budget-s': { type: 'string', default: '900' },
  },
});
const dimensions = values.dimensions.split(',') as Dimension[];
for (const d of dimensions) if (!DIMENSIONS.includes(d)) throw new Error(`unknown dimension ${d}`);
const deadline = Date.now() + Number(values['budget-s']) * 1000;

/** The other lists small, so the one grown decides. */
const SMALL: PodSize = {
  containers: 4,
  initContainers: 1,
  portsPerContainer: 4,
  envPerContainer: 4,
  volumes: 4,
  dropCapabilities: 1,
};

const cluster = await startCluster();
try {
  await cluster.apply({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'limits', labels: { [VAP_PROFILE_LABEL]: 'limits' } },
  });
  await cluster.apply({
    apiVersion: 'node.k8s.io/v1',
    kind: 'RuntimeClass',
    metadata: { name: 'gvisor' },
    handler: 'runsc',
  });
  const canary = largePod(SMALL, 'canary', 'limits');
  (canary.spec as { hostIPC?: boolean }).hostIPC = true;
  await installVaps(cluster, boundVaps(restrictedAndHardening(), 'limits'), canary);
  console.log(
    `kube-apiserver ${cluster.version}; ${new Date().toISOString()}; other lists at ${JSON.stringify(SMALL)}`,
  );
  for (const dimension of dimensions) {
    let n = Math.max(LARGE_POD[dimension], 8);
    for (;;) {
      if (Date.now() > deadline) {
        console.log(`${dimension}: time budget spent at ${n}`);
        break;
      }
      const pod = largePod({ ...SMALL, [dimension]: n }, 'large', 'limits');
      const bytes = JSON.stringify(pod).length;
      if (bytes > 8 * 2 ** 20) throw new Error(`${dimension}: ${bytes} bytes and still no refusal`);
      const start = Date.now();
      const response = await cluster.create(pod, { dryRun: true, fieldValidation: 'Ignore' });
      const ms = Date.now() - start;
      const text = message(response).slice(0, 300);
      if (costError(response)) {
        console.log(`${dimension}: COST ERROR at ${n} (${bytes} bytes, ${ms} ms): ${text}`);
        break;
      }
      if (response.status !== 201) {
        console.log(
          `${dimension}: refused at ${n} (${bytes} bytes, ${ms} ms, status ${response.status}): ${text}`,
        );
        break;
      }
      console.log(`${dimension}: ${n} admitted (${bytes} bytes, ${ms} ms)`);
      n *= 2;
    }
  }
} finally {
  await cluster.stop();
}
