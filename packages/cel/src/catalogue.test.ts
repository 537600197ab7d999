import { join } from 'node:path';
import { type PolicyConfig, resolvePolicy, selectPolicies } from '@palisade/core';
import { catalogue } from '@palisade/policies';
import { loadFixtureParams, loadFixtures } from '@palisade/policies/testing';
import { describe, expect, it } from 'vitest';
import { type Case, denies, runCases } from './testing/kyverno.js';

const policiesDir = join(import.meta.dirname, '..', '..', '..', 'policies');

/** Every catalogue fixture, at the version and profile its header names, as one harness case per resolution. */
function fixtureCases(): Case[] {
  const cases: Case[] = [];
  for (const policy of catalogue) {
    const dir = join(policiesDir, policy.id);
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
      const config: PolicyConfig = params === undefined ? resolved : { ...resolved, params };
      cases.push({ config, objects });
    }
  }
  return cases;
}

describe('compileCel on the catalogue fixtures (real kyverno apply)', () => {
  it('gives the validator verdict and message in a ValidatingPolicy and a ClusterPolicy', async () => {
    const cases = fixtureCases();
    const started = performance.now();
    const outcomes = await runCases(cases);
    console.log(`${outcomes.length} fixture evaluations in ${Math.round(performance.now() - started)} ms`);
    const problems: string[] = [];
    for (const o of outcomes) {
      const id = `${cases[o.caseIndex]?.config.policy.id} ${JSON.stringify(o.object).slice(0, 300)}`;
      const want = denies(o.validator.status);
      if (
        denies(o.vp.status) !== want ||
        (want && o.vp.message !== o.validator.message) ||
        o.vp.status === 'error'
      ) {
        problems.push(
          `VP ${id}\n  validator: ${JSON.stringify(o.validator)}\n  kyverno:   ${JSON.stringify(o.vp)}`,
        );
      }
      if (
        denies(o.cp.status) !== want ||
        (want && o.cp.message !== o.firstCheckMessage) ||
        o.cp.status === 'error'
      ) {
        problems.push(
          `CP ${id}\n  validator: ${JSON.stringify({ ...o.validator, first: o.firstCheckMessage })}\n  kyverno:   ${JSON.stringify(o.cp)}`,
        );
      }
    }
    expect(problems.join('\n')).toBe('');
  });
});
