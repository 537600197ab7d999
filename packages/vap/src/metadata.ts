import type { EffectivePolicy } from '@palisade/core';

export const VAP_API_VERSION = 'admissionregistration.k8s.io/v1';

/** The Kubernetes release the generated policies are proven against (a real kube-apiserver, apiserver.test.ts). */
export const TESTED_KUBERNETES_VERSION = '1.36.3';
/**
 * The oldest Kubernetes minor the generated policies are meant for: ValidatingAdmissionPolicy is GA in 1.30, and
 * the CEL uses lists `distinct`/`flatten`/`sort` of Kubernetes 1.34's base environment (@palisade/cel).
 */
export const KUBERNETES_VERSION = '1.34';

/**
 * What a reviewer or `kubectl describe` needs to know of a policy, in the annotations the hand-written libraries
 * use for it: title, category, severity, subject and description.
 */
export function policyAnnotations({
  policy,
  match,
}: Pick<EffectivePolicy, 'policy' | 'match'>): Record<string, string> {
  return {
    'palisade.dev/title': policy.title,
    'palisade.dev/category': policy.category,
    'palisade.dev/severity': policy.severity,
    'palisade.dev/subject': match.kinds.join(', '),
    'palisade.dev/description': policy.description,
    'palisade.dev/kubernetes-version': KUBERNETES_VERSION,
  };
}
