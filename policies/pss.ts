import disallowCapabilities from './disallow-capabilities/policy.js';
import disallowCapabilitiesStrict from './disallow-capabilities-strict/policy.js';
import disallowHostNamespaces from './disallow-host-namespaces/policy.js';
import disallowHostPath from './disallow-host-path/policy.js';
import disallowHostPorts from './disallow-host-ports/policy.js';
import disallowHostProbes from './disallow-host-probes/policy.js';
import disallowHostProcess from './disallow-host-process/policy.js';
import disallowPrivilegeEscalation from './disallow-privilege-escalation/policy.js';
import disallowPrivilegedContainers from './disallow-privileged-containers/policy.js';
import disallowProcMount from './disallow-proc-mount/policy.js';
import disallowSelinux from './disallow-selinux/policy.js';
import requireRunAsNonRootUser from './require-run-as-non-root-user/policy.js';
import requireRunAsNonroot from './require-run-as-nonroot/policy.js';
import restrictApparmorProfiles from './restrict-apparmor-profiles/policy.js';
import restrictSeccomp from './restrict-seccomp/policy.js';
import restrictSeccompStrict from './restrict-seccomp-strict/policy.js';
import restrictSysctls from './restrict-sysctls/policy.js';
import restrictVolumeTypes from './restrict-volume-types/policy.js';

/** The 12 baseline Pod Security Standards controls. */
export const baselinePolicies = [
  disallowHostProcess,
  disallowHostNamespaces,
  disallowPrivilegedContainers,
  disallowCapabilities,
  disallowHostPath,
  disallowHostPorts,
  disallowHostProbes,
  restrictApparmorProfiles,
  disallowSelinux,
  disallowProcMount,
  restrictSeccomp,
  restrictSysctls,
];

/** The 6 controls restricted adds on top of baseline (some replace a baseline control). */
export const restrictedPolicies = [
  restrictVolumeTypes,
  disallowPrivilegeEscalation,
  requireRunAsNonroot,
  requireRunAsNonRootUser,
  restrictSeccompStrict,
  disallowCapabilitiesStrict,
];

export const pssPolicies = [...baselinePolicies, ...restrictedPolicies];
