import { ruleSchema } from '@palisade/core';
import { describe, expect, it } from 'vitest';
import { catalogue } from './index.js';

/**
 * The catalogue is made with `defineCataloguePolicy`, which skips the IR schema check `definePolicy` does, so the CLI
 * does not repeat it on every start: this test is that check, for every rule and every PSS revision.
 */

const rulesOf = (policy: (typeof catalogue)[number]) => [
  ...(policy.rule ? [{ where: 'rule', rule: policy.rule }] : []),
  ...(policy.pss ?? []).flatMap((control) =>
    control.revisions.map((revision) => ({
      where: `${control.check} ${revision.since}`,
      rule: revision.rule,
    })),
  ),
];

describe('catalogue rules', () => {
  it.each(catalogue.map((policy) => [policy.id, policy] as const))(
    '%s: every rule is valid IR',
    (_id, policy) => {
      const rules = rulesOf(policy);
      expect(rules.length).toBeGreaterThan(0);
      for (const { where, rule } of rules) {
        const parsed = ruleSchema.safeParse(rule);
        expect(parsed.success ? 'valid' : `${where}: ${parsed.error.message}`).toBe('valid');
        // The schema neither strips nor rewrites anything: the unchecked rule is what definePolicy would have kept.
        expect(parsed.data).toEqual(rule);
      }
    },
  );

  it('an invalid rule is what the check reports', () => {
    expect(
      ruleSchema.safeParse({ checks: [{ deny: { eq: [{ lit: 1 }] }, message: [], field: '' }] }).success,
    ).toBe(false);
  });
});
