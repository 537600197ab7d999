import { type Policy, type PolicyConfig, type PssLevel, resolveProfile } from '@palisade/core';
import { KUSTOMIZE_API_VERSION } from './names.js';

export const PROFILES: readonly PssLevel[] = ['baseline', 'restricted'];

/** The ids of the policies in a Pod Security profile at a version, as `resolveProfile` selects them. */
export function profilePolicyIds(
  profile: PssLevel,
  policies: readonly Policy[],
  version: string = 'latest',
): string[] {
  return [...new Set(resolveProfile(profile, version, policies).map((r) => r.policy.id))];
}

export const kustomization = (resources: readonly string[]): Record<string, unknown> => ({
  apiVersion: KUSTOMIZE_API_VERSION,
  kind: 'Kustomization',
  resources: [...resources],
});

/**
 * Problems with pointing a profile at the generated policy directories: a policy missing from the output, or one
 * generated from another rule than the profile uses (e.g. disallow-proc-mount resolves differently at baseline
 * and restricted, but has one directory).
 */
export function profileProblems(
  profile: PssLevel,
  ids: readonly string[],
  configs: ReadonlyMap<string, PolicyConfig>,
  version: string,
): string[] {
  const problems: string[] = [];
  const resolved = resolveProfile(
    profile,
    version,
    [...configs.values()].map((c) => c.policy),
  );
  for (const id of ids) {
    const config = configs.get(id);
    if (!config) {
      problems.push(`profile ${profile}: policy ${id} is not among the generated policies`);
      continue;
    }
    const wanted = resolved.find((r) => r.policy.id === id);
    if (wanted && JSON.stringify(wanted.rule) !== JSON.stringify(config.rule)) {
      problems.push(
        `profile ${profile}: policy ${id} is generated from ${config.pssCheck ?? 'its own rule'}, but the profile uses ${wanted.pssCheck ?? 'another rule'}`,
      );
    }
  }
  return problems;
}
