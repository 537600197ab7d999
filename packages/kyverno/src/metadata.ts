import type { EffectivePolicy } from '@palisade/core';

/** The Kyverno release the generated policies are proven against (`kyverno test` and `kyverno apply`). */
export const KYVERNO_VERSION = '1.19.0';
/** The oldest Kubernetes minor the generated policies are meant for (CEL with optional fields, VAP GA). */
export const KUBERNETES_VERSION = '1.30';

export interface Versions {
  kyvernoVersion: string;
  kubernetesVersion: string;
}

/** The annotations Kyverno's policy library uses, so reports and the Kyverno UI show them. */
export function policyAnnotations(
  { policy, match }: Pick<EffectivePolicy, 'policy' | 'match'>,
  versions: Versions,
): Record<string, string> {
  return {
    'policies.kyverno.io/title': policy.title,
    'policies.kyverno.io/category': policy.category,
    'policies.kyverno.io/severity': policy.severity,
    'policies.kyverno.io/subject': match.kinds.join(', '),
    'policies.kyverno.io/description': policy.description,
    'kyverno.io/kyverno-version': versions.kyvernoVersion,
    'kyverno.io/kubernetes-version': versions.kubernetesVersion,
  };
}
