import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type PolicyConfig, resolvePolicy, selectPolicies } from '@palisade/core';
import { catalogue, hardeningPolicies } from '@palisade/policies';
import { loadFixtureParams, loadFixtures } from '@palisade/policies/testing';
import type { FixtureInput } from '../test-folder.js';

export const POLICIES_DIR = join(import.meta.dirname, '..', '..', '..', '..', 'policies');

/** Parameters for policies whose fixtures don't say: the values the issue asks the tests to use. */
const REQUIRED_PARAMS: Record<string, unknown> = {
  'restrict-image-registries': { registries: ['registry.example.com/'] },
  'require-runtime-class': { runtimeClasses: ['gvisor'] },
};

export function paramsFor(id: string): unknown {
  return loadFixtureParams(join(POLICIES_DIR, id)) ?? REQUIRED_PARAMS[id];
}

const withParams = (config: PolicyConfig): PolicyConfig => {
  const params = paramsFor(config.policy.id);
  return params === undefined ? config : { ...config, params };
};

/** Every catalogue policy on its own, at the latest version. */
export function catalogueConfigs(): PolicyConfig[] {
  return catalogue.flatMap((p) => {
    const resolved = resolvePolicy(p, 'latest');
    return resolved ? [withParams(resolved)] : [];
  });
}

/** The restricted profile at the latest version plus every hardening policy: the differential's selection. */
export function restrictedAndHardening(): PolicyConfig[] {
  return selectPolicies(catalogue, {
    profile: 'restricted',
    include: hardeningPolicies.map((p) => p.id),
  }).map(withParams);
}

/** A policy's fixtures that target its latest, profile-independent resolution. */
export function latestFixtures(id: string): FixtureInput[] {
  return loadFixtures(join(POLICIES_DIR, id)).filter(
    (f) => f.version === undefined && f.profile === undefined,
  );
}

export function writeFiles(files: ReadonlyMap<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'palisade-kyverno-'));
  for (const [path, content] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** restrictedAndHardening with some policies' parameters replaced (e.g. by hostile values). */
export function differentialConfigs(params: Readonly<Record<string, unknown>>): PolicyConfig[] {
  return restrictedAndHardening().map((c) =>
    params[c.policy.id] === undefined ? c : { ...c, params: params[c.policy.id] },
  );
}
