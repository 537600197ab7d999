import type { Policy } from '@palisade/core';
import { hardeningPolicies } from './hardening.js';
import { pssPolicies } from './pss.js';

export {
  catalogueDir,
  type Fixture,
  type FixtureSet,
  loadFixtureParams,
  loadFixtureSets,
  loadFixtures,
} from './fixtures.js';
export { hardeningPolicies } from './hardening.js';
export { baselinePolicies, pssPolicies, restrictedPolicies } from './pss.js';

/** Every catalogue policy: the Pod Security Standards, then the hardening policies. */
export const catalogue: readonly Policy[] = [...pssPolicies, ...hardeningPolicies];

export function policyById(id: string): Policy | undefined {
  return catalogue.find((p) => p.id === id);
}
