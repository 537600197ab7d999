import type { PssLevel } from '@palisade/core';
import { toYaml } from './yaml.js';

export type PolicyFolder = 'cluster-policies' | 'validating-policies';

export function kustomization(resources: readonly string[]): string {
  return toYaml({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [...resources],
  });
}

/**
 * `profiles/<level>/<folder>/kustomization.yaml` for each profile: the policy folders of its policy ids, of one
 * policy kind. Ids are sorted so the file does not depend on input order.
 */
export function profileKustomizations(
  profiles: Partial<Record<PssLevel, readonly string[]>>,
  folder: PolicyFolder,
): Map<string, string> {
  const files = new Map<string, string>();
  for (const level of ['baseline', 'restricted'] as const) {
    const ids = profiles[level];
    if (!ids) continue;
    files.set(
      `profiles/${level}/${folder}/kustomization.yaml`,
      kustomization([...ids].sort().map((id) => `../../../${folder}/${id}`)),
    );
  }
  return files;
}
