import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  isPodKind,
  matchedKinds,
  type Policy,
  type PolicyConfig,
  type Rule,
  resolvePolicy,
  selectPolicies,
} from '@palisade/core';
import { catalogue, hardeningPolicies } from '@palisade/policies';
import { type Fixture, loadFixtureParams, loadFixtures } from '../fixtures.js';

/** Catalogue selections and fixtures the target packages' tests share (one copy, not one per package). */

export const POLICIES_DIR = join(import.meta.dirname, '..');

/** Parameters for the policies that have required ones (the differential configuration of the issue). */
export const REQUIRED_PARAMS: Record<string, unknown> = {
  'restrict-image-registries': { registries: ['registry.example.com/'] },
  'require-runtime-class': { runtimeClasses: ['gvisor'] },
};

/** The parameters of a policy's fixtures, else the required ones. */
export function paramsFor(id: string): unknown {
  return loadFixtureParams(join(POLICIES_DIR, id)) ?? REQUIRED_PARAMS[id];
}

const restrictedPlusHardening = () =>
  selectPolicies(catalogue, { profile: 'restricted', include: hardeningPolicies.map((p) => p.id) });

/**
 * The restricted profile plus every hardening policy, with `params`, else the parameters of the policy's fixtures
 * (so parameterised forms, e.g. disallow-host-ports with allowed ports, are in the differential).
 */
export function differentialConfigs(
  params: Readonly<Record<string, unknown>> = REQUIRED_PARAMS,
): PolicyConfig[] {
  return restrictedPlusHardening().map((r) => {
    const chosen = params[r.policy.id] ?? loadFixtureParams(join(POLICIES_DIR, r.policy.id));
    return chosen === undefined ? r : { ...r, params: chosen };
  });
}

/** The restricted profile plus every hardening policy with `paramsFor`, some replaced by `overrides`. */
export function restrictedAndHardening(overrides: Readonly<Record<string, unknown>> = {}): PolicyConfig[] {
  return restrictedPlusHardening().map((r) => {
    const params = overrides[r.policy.id] ?? paramsFor(r.policy.id);
    return params === undefined ? r : { ...r, params };
  });
}

/** Every catalogue policy on its own (its lowest-level rule at the latest version), with its fixtures' params. */
export function catalogueConfigs(): PolicyConfig[] {
  return catalogue.flatMap((policy) => {
    const resolved = resolvePolicy(policy, 'latest');
    if (!resolved) return [];
    const params = paramsFor(policy.id);
    return [params === undefined ? resolved : { ...resolved, params }];
  });
}

/** A policy's fixtures for the latest version and no particular profile (the others judge another rule). */
export function catalogueFixtures(policyId: string): Fixture[] {
  return loadFixtures(join(POLICIES_DIR, policyId)).filter((f) => !f.version && !f.profile);
}

/** The one profile note the whole catalogue gives: disallow-proc-mount has one directory but two rules. */
export const PROC_MOUNT_PROFILE_NOTE =
  'profile restricted: policy disallow-proc-mount is generated from procMount, but the profile uses procMount_restricted';

/** Every rule of the catalogue: each non-PSS rule and every revision of every PSS check. */
export interface CatalogueRule {
  /** A Rego-safe unique key. */
  key: string;
  label: string;
  policy: Policy;
  rule: Rule;
  params: unknown;
  podKinds: boolean;
  kinds: readonly string[];
}

export function catalogueRules(): CatalogueRule[] {
  return catalogue.flatMap((policy) => {
    const revisions: { label: string; rule: Rule }[] = policy.rule
      ? [{ label: policy.id, rule: policy.rule }]
      : (policy.pss ?? []).flatMap((c) =>
          c.revisions.map((r) => ({ label: `${policy.id} ${c.check}@${r.since}`, rule: r.rule })),
        );
    const params = loadFixtureParams(join(POLICIES_DIR, policy.id)) ?? {};
    return revisions.map((r, i) => ({
      key: `${policy.id.replace(/-/g, '_')}_${i}`,
      label: r.label,
      policy,
      rule: r.rule,
      params: policy.params.parse(params),
      podKinds: policy.match.kinds.some(isPodKind),
      kinds: matchedKinds(policy.match),
    }));
  });
}

/** Writes files under a fresh temporary folder and returns it. */
export function writeFiles(files: ReadonlyMap<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'palisade-test-'));
  for (const [path, content] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}
