import { matchedKinds, type Policy, resolvePolicy, selectPolicies } from '@palisade/core';
import { Validator } from '@palisade/validator';
import { describe, expect, it } from 'vitest';
import { CONTROLLER_KINDS, type Fixture, loadFixtureSets, wrapPodInController } from '../fixtures.js';
import { catalogue } from '../index.js';

function validatorFor(policy: Policy, fixture: Fixture, params: unknown): Validator {
  const version = fixture.version ?? 'latest';
  const resolved = fixture.profile
    ? selectPolicies(catalogue, { profile: fixture.profile, version }).filter(
        (r) => r.policy.id === policy.id,
      )
    : [resolvePolicy(policy, version)].filter((r) => r !== undefined);
  return new Validator({ policies: resolved.map((r) => ({ ...r, params })) });
}

/** The policy's result, or `none` when the policy is not in force at the fixture's version. */
function verdict(validator: Validator, object: Record<string, unknown>) {
  const results = validator.validate(object);
  if (validator.policies.length === 0) return { status: 'none', message: 'not in force at this version' };
  if (results.length !== 1) throw new Error(`expected exactly one result, got ${results.length}`);
  return results[0]!;
}

/**
 * The fixture suite of one catalogue policy, for each parameter setting: every fixture gives its expected verdict
 * and message, and every Pod fixture gives the same verdict and message in each Pod controller form the policy
 * matches.
 */
export function describeFixtures(policy: Policy, policyDir: string): void {
  for (const { setting, params, fixtures } of loadFixtureSets(policyDir)) {
    describe(`${policy.id} fixtures${setting === '' ? '' : ` with ${setting} parameters`}`, () => {
      it('has allowed and denied fixtures, in Pod and controller forms', () => {
        expect(fixtures.some((f) => f.expect === 'allowed')).toBe(true);
        expect(fixtures.some((f) => f.expect === 'denied')).toBe(true);
        if (setting === '' && policy.match.kinds.includes('Pod')) {
          expect(fixtures.some((f) => f.object.kind !== 'Pod')).toBe(true);
        }
      });
      if (setting !== '') {
        it('has parameters the policy accepts', () => {
          const parsed = policy.params.safeParse(params ?? {});
          expect(parsed.success, parsed.error?.message).toBe(true);
        });
      }
      describeSet(policy, fixtures, params);
    });
  }
}

function describeSet(policy: Policy, fixtures: readonly Fixture[], params: unknown): void {
  for (const fixture of fixtures) {
    it(`${fixture.name} is ${fixture.expect}`, () => {
      const result = verdict(validatorFor(policy, fixture, params), fixture.object);
      if (fixture.expect === 'allowed') {
        expect(['pass', 'skip', 'none'], `${result.status}: ${result.message}`).toContain(result.status);
      } else {
        expect(result.status === 'fail' || result.status === 'warn', result.message).toBe(true);
        expect(fixture.message, `${fixture.file} needs a "# message:" header`).toBeDefined();
        expect(result.message).toBe(fixture.message);
      }
    });
    if (fixture.object.kind === 'Pod' && policy.match.kinds.includes('Pod')) {
      it(`${fixture.name} gives the same verdict in every controller form`, () => {
        const validator = validatorFor(policy, fixture, params);
        const expected = verdict(validator, fixture.object);
        // Only the controllers the policy matches: e.g. a policy with `podControllers: false` that names
        // Deployment but not Job gives a Job no result at all.
        const kinds = matchedKinds(policy.match);
        for (const kind of CONTROLLER_KINDS.filter((k) => kinds.includes(k))) {
          const result = verdict(validator, wrapPodInController(fixture.object, kind));
          expect({ kind, status: result.status, message: result.message }).toEqual({
            kind,
            status: expected.status,
            message: expected.message,
          });
        }
      });
    }
  }
}
