import { type Cond, eq, not, type Standard } from '@palisade/core';

/** Shared pieces of the Pod Security Standards policies (semantics: k8s.io/pod-security-admission/policy). */

export const PSS_URL = 'https://kubernetes.io/docs/concepts/security/pod-security-standards/';
export const BASELINE_CATEGORY = 'Pod Security Standards (Baseline)';
export const RESTRICTED_CATEGORY = 'Pod Security Standards (Restricted)';

export const pssStandard = (control: string): Standard => ({
  name: 'Pod Security Standards',
  control,
  url: PSS_URL,
});

/** `spec.os.name: windows`: upstream exempts these pods from Linux-only restricted checks since v1.25. */
export const isWindowsPod: Cond = eq({ get: 'pod', path: ['spec', 'os', 'name'] }, 'windows');
export const notWindowsPod: Cond = not(isWindowsPod);

/** `spec.hostUsers: false`: upstream relaxes some checks for user-namespaced pods since v1.35. */
export const isUserNamespacePod: Cond = eq({ get: 'pod', path: ['spec', 'hostUsers'] }, false);
export const notUserNamespacePod: Cond = not(isUserNamespacePod);

/** The pod-level security context field `path` and a container's override of it. */
export const podSecurityContext = (path: string) => `spec.securityContext.${path}`;
