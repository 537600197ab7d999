/**
 * Upstream Pod Security Admission check ids (k8s.io/pod-security-admission/policy) mapped to the Palisade
 * policy that reproduces each. Both procMount checks map to one policy: procMount_restricted is the restricted
 * level's stricter revision of the same control.
 */
export const PSA_CHECK_TO_POLICY = {
  privileged: 'disallow-privileged-containers',
  windowsHostProcess: 'disallow-host-process',
  hostNamespaces: 'disallow-host-namespaces',
  capabilities_baseline: 'disallow-capabilities',
  hostPathVolumes: 'disallow-host-path',
  hostPorts: 'disallow-host-ports',
  hostProbesAndHostLifecycle: 'disallow-host-probes',
  appArmorProfile: 'restrict-apparmor-profiles',
  seLinuxOptions: 'disallow-selinux',
  procMount: 'disallow-proc-mount',
  procMount_restricted: 'disallow-proc-mount',
  seccompProfile_baseline: 'restrict-seccomp',
  sysctls: 'restrict-sysctls',
  restrictedVolumes: 'restrict-volume-types',
  allowPrivilegeEscalation: 'disallow-privilege-escalation',
  runAsNonRoot: 'require-run-as-nonroot',
  runAsUser: 'require-run-as-non-root-user',
  seccompProfile_restricted: 'restrict-seccomp-strict',
  capabilities_restricted: 'disallow-capabilities-strict',
} as const satisfies Record<string, string>;

export type PsaCheckId = keyof typeof PSA_CHECK_TO_POLICY;
export type PalisadePssPolicyId = (typeof PSA_CHECK_TO_POLICY)[PsaCheckId];
