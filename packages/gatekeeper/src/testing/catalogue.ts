import { join } from 'node:path';
import { type PolicyConfig, resolvePolicy, selectPolicies } from '@palisade/core';
import { catalogue, hardeningPolicies } from '@palisade/policies';
import { loadFixtureParams, loadFixtures } from '@palisade/policies/testing';
import type { SampleFixture } from '../suite.js';

const policiesDir = join(import.meta.dirname, '..', '..', '..', '..', 'policies');

/** Parameters for the policies that have required ones (the differential configuration of the issue). */
export const REQUIRED_PARAMS: Record<string, unknown> = {
  'restrict-image-registries': { registries: ['registry.example.com/'] },
  'require-runtime-class': { runtimeClasses: ['gvisor'] },
};

/**
 * The restricted profile plus every hardening policy, with `params`, else the parameters of the policy's fixtures
 * (so parameterised forms, e.g. disallow-host-ports with allowed ports, are in the differential, as in Kyverno's).
 */
export function differentialConfigs(params: Record<string, unknown> = REQUIRED_PARAMS): PolicyConfig[] {
  return selectPolicies(catalogue, {
    profile: 'restricted',
    include: hardeningPolicies.map((p) => p.id),
  }).map((r) => {
    const chosen = params[r.policy.id] ?? loadFixtureParams(join(policiesDir, r.policy.id));
    return chosen === undefined ? r : { ...r, params: chosen };
  });
}

/** Every catalogue policy on its own (its lowest-level rule at the latest version), with its fixtures' params. */
export function catalogueConfigs(): PolicyConfig[] {
  return catalogue.flatMap((policy) => {
    const resolved = resolvePolicy(policy);
    if (!resolved) return [];
    const params = loadFixtureParams(join(policiesDir, policy.id));
    return [params === undefined ? resolved : { ...resolved, params }];
  });
}

/** A policy's fixtures for the latest version and no particular profile (the others judge another rule). */
export function catalogueFixtures(policyId: string): SampleFixture[] {
  return loadFixtures(join(policiesDir, policyId)).filter((f) => !f.version && !f.profile);
}

/** The one profile note the whole catalogue gives: disallow-proc-mount has one directory but two rules. */
export const PROC_MOUNT_PROFILE_NOTE =
  'profile restricted: policy disallow-proc-mount is generated from procMount, but the profile uses procMount_restricted';
