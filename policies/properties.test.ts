import { podArbitrary } from '@palisade/arbitraries';
import { isPodKind, matchedKinds, type PssLevel, selectPolicies } from '@palisade/core';
import { type PolicyConfig, type PolicyResult, Validator } from '@palisade/validator';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { catalogue } from './index.js';
import { CONTROLLER_KINDS, wrapPodInController } from './testing/index.js';

/** Property-based invariants of the catalogue over thousands of generated Pods (seeded, so failures replay). */

const RUNS = 2_000;
const SEED = 20261125;
const VERSIONS = ['v1.0', 'v1.18', 'v1.22', 'v1.24', 'v1.25', 'v1.30', 'v1.34', 'latest'];

function profileValidator(profile: PssLevel, version: string): Validator {
  return new Validator({ policies: selectPolicies(catalogue, { profile, version }) });
}
const failing = (results: PolicyResult[]) =>
  results.filter((r) => r.status === 'fail').map((r) => r.policy.id);

/** Params the hardening policies without defaults need. */
const HARDENING_PARAMS: Record<string, unknown> = {
  'restrict-image-registries': { registries: ['registry.example.com/'] },
  'require-runtime-class': { runtimeClasses: ['gvisor'] },
};

describe('catalogue invariants', () => {
  const validators = VERSIONS.map((version) => ({
    version,
    baseline: profileValidator('baseline', version),
    restricted: profileValidator('restricted', version),
  }));

  it('restricted denies whatever baseline denies (except upstream exemptions of Windows pods from v1.25)', () => {
    fc.assert(
      fc.property(podArbitrary, (pod) => {
        const windows = (pod.spec as { os?: { name?: string } }).os?.name === 'windows';
        for (const { version, baseline, restricted } of validators) {
          const baselineFails = failing(baseline.validate(pod));
          const restrictedFails = failing(restricted.validate(pod));
          if (baselineFails.length === 0 || restrictedFails.length > 0) continue;
          // Upstream: capabilities_restricted and seccompProfile_restricted replace their baseline checks and
          // exempt Windows pods, so a Windows pod can pass restricted while failing those two baseline checks.
          expect(windows, `${version}: restricted allowed a pod baseline denies: ${baselineFails}`).toBe(
            true,
          );
          expect(
            baselineFails.every((id) => id === 'disallow-capabilities' || id === 'restrict-seccomp'),
          ).toBe(true);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('every Pod controller form gets the same verdicts and messages as the bare Pod', () => {
    const configs: PolicyConfig[] = [
      ...selectPolicies(catalogue, { profile: 'restricted' }),
      ...selectPolicies(catalogue, { include: catalogue.filter((p) => !p.pss).map((p) => p.id) }),
    ].map((resolved) => ({ ...resolved, params: HARDENING_PARAMS[resolved.policy.id] }));
    const validator = new Validator({ policies: configs });
    const verdicts = (results: PolicyResult[], kind: string) =>
      results
        .filter(
          (r) => matchedKinds(r.policy.match).includes(kind) && r.policy.id !== 'disallow-default-namespace',
        )
        .map((r) => `${r.policy.id}: ${r.status}: ${r.message}`)
        .sort();
    fc.assert(
      fc.property(podArbitrary, fc.constantFrom(...CONTROLLER_KINDS), (pod, kind) => {
        expect(isPodKind(kind)).toBe(true);
        const bare = verdicts(validator.validate(pod), kind);
        const wrapped = verdicts(validator.validate(wrapPodInController(pod, kind)), kind);
        expect(wrapped).toEqual(bare);
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('a rule gives the same verdicts after a JSON round trip (the IR is data)', () => {
    const direct = selectPolicies(catalogue, { profile: 'restricted' });
    const roundTripped = direct.map((r) => ({ ...r, rule: JSON.parse(JSON.stringify(r.rule)) }));
    const a = new Validator({ policies: direct });
    const b = new Validator({ policies: roundTripped });
    fc.assert(
      fc.property(podArbitrary, (pod) => {
        expect(b.validate(pod).map((r) => [r.status, r.message])).toEqual(
          a.validate(pod).map((r) => [r.status, r.message]),
        );
      }),
      { numRuns: 500, seed: SEED },
    );
  });

  it('the generated corpus exercises every PSS policy both ways (the properties above are not vacuous)', () => {
    const pods = fc.sample(podArbitrary, { numRuns: RUNS, seed: SEED });
    const seen = new Map<string, Set<string>>();
    for (const { baseline, restricted } of validators.slice(-1)) {
      for (const pod of pods) {
        for (const r of [...baseline.validate(pod), ...restricted.validate(pod)]) {
          seen.set(r.policy.id, (seen.get(r.policy.id) ?? new Set()).add(r.status));
        }
      }
    }
    for (const policy of catalogue.filter((p) => p.pss)) {
      expect([...(seen.get(policy.id) ?? [])].sort(), policy.id).toEqual(
        expect.arrayContaining(['fail', 'pass']),
      );
    }
  });
});
