import type { Policy } from '@palisade/core';
import disallowDefaultNamespace from './disallow-default-namespace/policy.js';
import disallowLatestTag from './disallow-latest-tag/policy.js';
import disallowServiceAccountTokenAutomount from './disallow-service-account-token-automount/policy.js';
import requireImageDigest from './require-image-digest/policy.js';
import requireProbes from './require-probes/policy.js';
import requireRequestsLimits from './require-requests-limits/policy.js';
import requireRoRootfs from './require-ro-rootfs/policy.js';
import requireRuntimeClass from './require-runtime-class/policy.js';
import restrictImageRegistries from './restrict-image-registries/policy.js';
import restrictNodePort from './restrict-node-port/policy.js';
import restrictServiceExternalIps from './restrict-service-external-ips/policy.js';

/** NSA/CISA and CIS hardening policies (see each folder). */
export const hardeningPolicies: readonly Policy[] = [
  // Supply chain
  disallowLatestTag,
  restrictImageRegistries,
  requireImageDigest,
  // Workloads
  requireRequestsLimits,
  requireProbes,
  requireRoRootfs,
  disallowServiceAccountTokenAutomount,
  requireRuntimeClass,
  disallowDefaultNamespace,
  // Networking
  restrictNodePort,
  restrictServiceExternalIps,
];
