import {
  type PolicyConfig,
  type PolicyException,
  profileIdsOf,
  resolveTargetPolicies,
  type TargetFixture,
  type TargetInput,
} from '@palisade/core';
import { validatorOracle, withVerdicts } from '@palisade/validator';

/** A fixture as `loadFixtures` gives it, before the oracle judged it. */
type PlainFixture = Omit<TargetFixture, 'verdict'>;

/**
 * A target's input as `palisade build` makes it: the configurations resolved once, the validator as the oracle,
 * and each fixture with the validator's verdict.
 */
export interface TargetInputRequest {
  policies: readonly PolicyConfig[];
  exceptions?: readonly PolicyException[];
  fixtures?: (policyId: string) => readonly PlainFixture[];
  /** @default new Date() */
  now?: Date;
  /** @default 'latest' */
  profileVersion?: string;
  profiles?: TargetInput['profiles'];
}

export function targetInput(input: TargetInputRequest): TargetInput {
  const now = input.now ?? new Date();
  const exceptions = input.exceptions ?? [];
  const pssVersion = input.profileVersion ?? 'latest';
  const policies = resolveTargetPolicies(input.policies, { exceptions, now, pssVersion });
  const oracle = validatorOracle(input.policies, exceptions, now);
  return {
    policies,
    exceptions,
    pssVersion,
    profiles: input.profiles ?? profileIdsOf(policies, pssVersion),
    fixtures: (id) => withVerdicts(oracle, id, input.fixtures?.(id) ?? []),
    oracle,
    now,
  };
}
