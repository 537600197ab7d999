import { join } from 'node:path';
import { type PolicyConfig, resolvePolicy, selectPolicies } from '@palisade/core';
import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import { catalogue, catalogueDir, loadFixtureParams, loadFixtures } from '@palisade/policies';
import { describe, expect, it } from 'vitest';
import { runKyvernoDifferential } from './testing/differential.js';

/**
 * Every catalogue fixture, at the PSS version and profile its header names, through the real `kyverno apply` as a
 * ClusterPolicy and as a ValidatingPolicy: the verdict and the whole message (every violation, naming the container
 * and field) are the validator's.
 */
function fixtureCases(): { config: PolicyConfig; objects: Record<string, unknown>[] }[] {
  const cases: { config: PolicyConfig; objects: Record<string, unknown>[] }[] = [];
  for (const policy of catalogue) {
    const dir = join(catalogueDir, policy.id);
    const params = loadFixtureParams(dir);
    const groups = new Map<string, Record<string, unknown>[]>();
    for (const f of loadFixtures(dir)) {
      const key = `${f.version ?? 'latest'}|${f.profile ?? ''}`;
      groups.set(key, [...(groups.get(key) ?? []), f.object]);
    }
    for (const [key, objects] of groups) {
      const [version = 'latest', profile] = key.split('|');
      const resolved = profile
        ? selectPolicies(catalogue, { profile: profile as 'baseline' | 'restricted', version }).find(
            (r) => r.policy.id === policy.id,
          )
        : resolvePolicy(policy, version);
      if (!resolved) continue;
      cases.push({ config: params === undefined ? resolved : { ...resolved, params }, objects });
    }
  }
  return cases;
}

describe('catalogue fixtures in kyverno apply: verdicts and messages', () => {
  it(
    'gives the validator verdict and message in a ClusterPolicy and a ValidatingPolicy',
    async () => {
      const cases = fixtureCases();
      const started = performance.now();
      const disagreements: string[] = [];
      let evaluations = 0;
      let denied = 0;
      // Cases two at a time, each running its two policy kinds side by side.
      for (let i = 0; i < cases.length; i += 2) {
        const reports = await Promise.all(
          cases.slice(i, i + 2).map(({ config, objects }) =>
            runKyvernoDifferential(
              [config],
              objects.map((object, j) => ({ id: `f-${j}`, object })),
              { compareMessages: true, width: 2 },
            ),
          ),
        );
        for (const report of reports) {
          evaluations += report.evaluations;
          denied += report.denied;
          disagreements.push(...report.disagreements);
        }
      }
      console.log(
        `kyverno messages: ${cases.length} fixture groups, ${evaluations} evaluations (${denied} denied) in ` +
          `${Math.round(performance.now() - started)} ms, ${disagreements.length} disagreements`,
      );
      expect(denied).toBeGreaterThan(100);
      expect(disagreements.slice(0, 20).join('\n')).toBe('');
    },
    ENGINE_TEST_TIMEOUT_MS,
  );
});
