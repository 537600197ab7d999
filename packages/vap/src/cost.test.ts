import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import { type KubeCluster, startCluster } from '@palisade/kube-harness';
import { restrictedAndHardening } from '@palisade/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LARGE_POD, largeDeployment, largePod, type PodSize } from './testing/large-objects.js';
import {
  boundVaps,
  costError,
  installVaps,
  message,
  VAP_PROFILE_LABEL,
} from './testing/profile-admission.js';

/**
 * CEL cost in a real API server: with every restricted and hardening policy enforcing, large but valid objects
 * (50 containers with 20 ports and 50 env each, 10 init containers, 100 volumes, 40 dropped capabilities) are
 * evaluated completely and admitted. A cost error ("cost limit exceeded", "operation cancelled") is a failure,
 * never a verdict. Where each policy stops fitting: `pnpm bench:admission-limits` (docs/targets.md).
 */

const NAMESPACE = 'cost';

describe('ValidatingAdmissionPolicy cost on large objects', { timeout: ENGINE_TEST_TIMEOUT_MS }, () => {
  let cluster: KubeCluster;
  beforeAll(async () => {
    cluster = await startCluster();
    await cluster.apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NAMESPACE, labels: { [VAP_PROFILE_LABEL]: 'cost' } },
    });
    // The RuntimeClass admission plugin refuses a Pod naming a class that does not exist.
    await cluster.apply({
      apiVersion: 'node.k8s.io/v1',
      kind: 'RuntimeClass',
      metadata: { name: 'gvisor' },
      handler: 'runsc',
    });
    const canary = largePod({ ...LARGE_POD, containers: 1 }, 'canary', NAMESPACE);
    (canary.spec as { hostNetwork?: boolean }).hostNetwork = true;
    await installVaps(cluster, boundVaps(restrictedAndHardening(), 'cost'), canary);
  }, ENGINE_TEST_TIMEOUT_MS);
  afterAll(() => cluster?.stop());

  const sizes: [string, PodSize][] = [
    ['the large Pod', LARGE_POD],
    ['100 containers', { ...LARGE_POD, containers: 100, envPerContainer: 10 }],
    ['long capability lists', { ...LARGE_POD, containers: 20, dropCapabilities: 200 }],
    ['many init containers', { ...LARGE_POD, initContainers: 50 }],
  ];
  for (const [what, size] of sizes) {
    for (const make of [largePod, largeDeployment]) {
      const object = make(size, 'large', NAMESPACE);
      it(`admits ${what} as a ${String(object.kind)} (${JSON.stringify(object).length} bytes)`, async () => {
        const response = await cluster.create(object, { dryRun: true });
        expect(costError(response), message(response)).toBe(false);
        expect({ status: response.status, message: message(response), warnings: response.warnings }).toEqual({
          status: 201,
          message: '',
          warnings: [],
        });
      });
    }
  }
});
