import { join } from 'node:path';
import { isPodKind, matchedKinds, type Policy, type Rule } from '@palisade/core';
import { catalogue } from '@palisade/policies';
import { loadFixtureParams } from '@palisade/policies/testing';

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

const policiesDir = join(import.meta.dirname, '..', '..', '..', '..', 'policies');

export function catalogueRules(): CatalogueRule[] {
  return catalogue.flatMap((policy) => {
    const revisions: { label: string; rule: Rule }[] = policy.rule
      ? [{ label: policy.id, rule: policy.rule }]
      : (policy.pss ?? []).flatMap((c) =>
          c.revisions.map((r) => ({ label: `${policy.id} ${c.check}@${r.since}`, rule: r.rule })),
        );
    const params = loadFixtureParams(join(policiesDir, policy.id)) ?? {};
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
