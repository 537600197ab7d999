import type { Oracle, PolicyConfig, PolicyException, TargetFixture, Verdict } from '@palisade/core';
import { Validator } from './engine.js';

/**
 * The validator as the oracle of the generated engine tests: a policy's verdict on an object with the policy as
 * configured and every exception of the build (expired ones do not apply, and only those covering the policy can).
 * Targets never evaluate policies themselves; the caller injects this.
 */
export function validatorOracle(
  policies: readonly PolicyConfig[],
  exceptions: readonly PolicyException[],
  now: Date,
): Oracle {
  const byId = new Map<string, Validator>();
  for (const config of policies) {
    byId.set(config.policy.id, new Validator({ policies: [config], exceptions, now }));
  }
  return (policyId, object): Verdict => {
    const validator = byId.get(policyId);
    if (!validator) throw new Error(`the oracle has no policy ${policyId}`);
    const result = validator.validate(object).find((r) => r.policy.id === policyId);
    if (!result) return { status: 'unmatched', messages: [] };
    const denied = result.status === 'fail' || result.status === 'warn';
    return {
      status: result.status,
      messages: denied ? [...new Set(result.violations.map((v) => v.message))] : [],
    };
  };
}

/** Fixtures with the oracle's verdict on each object as written. */
export function withVerdicts(
  oracle: Oracle,
  policyId: string,
  fixtures: readonly Omit<TargetFixture, 'verdict'>[],
): TargetFixture[] {
  return fixtures.map((f) => ({
    name: f.name,
    expect: f.expect,
    object: f.object,
    verdict: oracle(policyId, f.object),
  }));
}
