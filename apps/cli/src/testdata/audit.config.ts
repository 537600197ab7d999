import { check, defineConfig, definePolicy, isUndefined, msg, object, rule } from '@palisade/core';
import { hardeningPolicies } from '@palisade/policies';
import { REQUIRED_PARAMS } from '@palisade/testing';

/**
 * The selection of the audit proof (audit.e2e.test.ts): the restricted profile, every hardening policy, and a policy
 * of the project's own on a cluster-scoped kind, so the audit also writes a ClusterPolicyReport.
 */
const namespaceTeam = definePolicy({
  id: 'namespace-team',
  title: 'Namespaces Name Their Team',
  description: 'Every namespace names the team that owns it.',
  severity: 'low',
  category: 'Ownership',
  remediation: 'Label the namespace with example.com/team.',
  match: { kinds: ['Namespace'] },
  rule: () =>
    rule([
      check({
        deny: isUndefined(object(['metadata', 'labels', 'example.com/team'])),
        message: msg`namespace has no example.com/team label`,
        field: 'metadata.labels',
        fieldFrom: 'object',
      }),
    ]),
});

export default defineConfig({
  profile: 'restricted',
  include: hardeningPolicies.map((p) => p.id),
  policies: [namespaceTeam],
  params: REQUIRED_PARAMS,
});
