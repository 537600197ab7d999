import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The hand-written equivalents of catalogue policies: a kyverno/policies ClusterPolicy file and a
 * gatekeeper-library folder (template.yaml + constraint.yaml) under the hand-written directory. See
 * bench/vendor/README.md for where each file comes from and how to put them there.
 */
export interface Equivalent {
  /** File under `kyverno-policies/`. */
  kyverno?: string;
  /** Folder under `gatekeeper-library/` holding template.yaml and constraint.yaml. */
  gatekeeper?: string;
}

export const EQUIVALENTS: Readonly<Record<string, Equivalent>> = {
  'disallow-capabilities': { kyverno: 'disallow-capabilities.yaml' },
  'disallow-capabilities-strict': {
    kyverno: 'disallow-capabilities-strict.yaml',
    gatekeeper: 'capabilities',
  },
  'disallow-host-namespaces': { kyverno: 'disallow-host-namespaces.yaml', gatekeeper: 'host-namespaces' },
  'disallow-host-path': { kyverno: 'disallow-host-path.yaml' },
  'disallow-host-ports': { kyverno: 'disallow-host-ports.yaml', gatekeeper: 'host-network-ports' },
  'disallow-host-process': { kyverno: 'disallow-host-process.yaml' },
  'disallow-privilege-escalation': {
    kyverno: 'disallow-privilege-escalation.yaml',
    gatekeeper: 'allow-privilege-escalation',
  },
  'disallow-privileged-containers': {
    kyverno: 'disallow-privileged-containers.yaml',
    gatekeeper: 'privileged-containers',
  },
  'disallow-proc-mount': { kyverno: 'disallow-proc-mount.yaml', gatekeeper: 'proc-mount' },
  'disallow-selinux': { kyverno: 'disallow-selinux.yaml' },
  'require-run-as-non-root-user': { kyverno: 'require-run-as-non-root-user.yaml' },
  'require-run-as-nonroot': { kyverno: 'require-run-as-nonroot.yaml' },
  'restrict-apparmor-profiles': { kyverno: 'restrict-apparmor-profiles.yaml' },
  'restrict-seccomp': { kyverno: 'restrict-seccomp.yaml' },
  'restrict-seccomp-strict': { kyverno: 'restrict-seccomp-strict.yaml' },
  'restrict-sysctls': { kyverno: 'restrict-sysctls.yaml' },
  'restrict-volume-types': { kyverno: 'restrict-volume-types.yaml' },
};

/**
 * Where the hand-written files are: $PALISADE_HAND_WRITTEN, else bench/vendor (when it holds them), else
 * ~/.cache/palisade/hand-written. Undefined when none has them.
 */
export function handWrittenDir(): string | undefined {
  const candidates = [
    process.env.PALISADE_HAND_WRITTEN,
    join(import.meta.dirname, '..', 'vendor'),
    join(homedir(), '.cache', 'palisade', 'hand-written'),
  ];
  return candidates.find(
    (dir): dir is string => dir !== undefined && existsSync(join(dir, 'kyverno-policies')),
  );
}
