import type { PolicyConfig } from '@palisade/core';
import type { KubeCluster, KubeResponse } from '@palisade/kube-harness';
import { vapObjects } from '../output.js';

/** The namespace label the test bindings select on (a namespace carries it to get a profile's VAPs). */
export const VAP_PROFILE_LABEL = 'palisade.test/vap-profile';

/**
 * The ValidatingAdmissionPolicies and bindings of `policies`, enforcing (Deny) and bound only to namespaces
 * labelled `VAP_PROFILE_LABEL=<selector>`. Names get `<selector>-` in front, so several sets (baseline and
 * restricted, with their shared policies) live in one API server.
 */
export function boundVaps(policies: readonly PolicyConfig[], selector: string): Record<string, unknown>[] {
  return vapObjects(policies.map((p) => ({ ...p, enforcement: 'enforce' as const }))).flatMap(
    ({ policy, binding }) => {
      const name = `${selector}-${(policy.metadata as { name: string }).name}`;
      const spec = binding.spec as Record<string, unknown>;
      const matchResources = (spec.matchResources ?? {}) as Record<string, unknown>;
      if (matchResources.namespaceSelector)
        throw new Error(`${name}: the binding selects namespaces already`);
      return [
        { ...policy, metadata: { ...(policy.metadata as object), name } },
        {
          ...binding,
          metadata: { ...(binding.metadata as object), name },
          spec: {
            ...spec,
            policyName: name,
            validationActions: ['Deny'],
            matchResources: {
              ...matchResources,
              namespaceSelector: { matchLabels: { [VAP_PROFILE_LABEL]: selector } },
            },
          },
        },
      ];
    },
  );
}

/**
 * Installs VAPs and waits until the API server enforces them: a policy takes effect asynchronously (its informer),
 * so a canary object the caller knows they deny is dry-run created until it is denied.
 */
export async function installVaps(
  cluster: KubeCluster,
  objects: readonly Record<string, unknown>[],
  canary: Record<string, unknown>,
  timeoutMs = 30_000,
): Promise<void> {
  for (const object of objects) await cluster.apply(object);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await cluster.create(canary, { dryRun: true, fieldValidation: 'Ignore' });
    if (vapDenied(response)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `VAPs not enforced after ${timeoutMs} ms: canary got ${response.status} ${message(response)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const message = (response: KubeResponse): string =>
  (response.body as { message?: string } | undefined)?.message ?? '';

/** Denied by a ValidatingAdmissionPolicy (not refused by validation or another plugin). */
export const vapDenied = (response: KubeResponse): boolean =>
  response.status >= 400 &&
  /ValidatingAdmissionPolicy '[^']*' with binding '[^']*' denied request/.test(message(response));

/** Denied by the in-tree PodSecurity admission plugin. */
export const psaDenied = (response: KubeResponse): boolean =>
  response.status === 403 && /violates PodSecurity/.test(message(response));

/** A CEL cost error of a ValidatingAdmissionPolicy: always a failure, never a verdict. */
export const costError = (response: KubeResponse): boolean =>
  /cost limit exceeded|operation cancelled|cost budget/i.test(message(response));

/** Runs `work` over items with a fixed number of requests in flight, results in item order. */
export async function inParallel<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i] as T, i);
      }
    }),
  );
  return results;
}
