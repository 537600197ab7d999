import { type EffectivePolicy, effectivePolicy, matchedKinds, type PolicyConfig } from '@palisade/core';
import { compileForKyverno } from './compiled.js';
import { kyvernoInert } from './inert.js';
import { policyAnnotations, type Versions } from './metadata.js';

export const CLUSTER_POLICY_API_VERSION = 'kyverno.io/v1';

/**
 * A `kyverno.io/v1` ClusterPolicy with one `validate.cel` rule named after the policy. The rule matches the Pod
 * controllers itself (the CEL `pod` variable reads each kind's template), so Kyverno's autogen is turned off.
 * `exemptImages` is a CEL list of image globs whose containers are skipped (baked-in image exceptions).
 */
export function clusterPolicy(
  config: PolicyConfig | EffectivePolicy,
  versions: Versions,
  exemptImages?: string,
): Record<string, unknown> {
  const resolved = effectivePolicy(config);
  const { policy, match, enforcement } = resolved;
  const cel = compileForKyverno(resolved, exemptImages);
  const resources: Record<string, unknown> = { kinds: matchedKinds(match) };
  if (match.namespaces) resources.namespaces = match.namespaces;
  if (match.labelSelector) resources.selector = match.labelSelector;
  const rule: Record<string, unknown> = {
    name: policy.id,
    match: { any: [{ resources }] },
    validate: {
      failureAction: enforcement === 'enforce' ? 'Enforce' : 'Audit',
      message: cel.validation.message,
      cel: { variables: cel.variables, expressions: [cel.validation] },
    },
  };
  if (match.excludedNamespaces)
    rule.exclude = { any: [{ resources: { namespaces: match.excludedNamespaces } }] };
  if (cel.precondition) rule.celPreconditions = [{ name: 'when', expression: cel.precondition }];
  return kyvernoInert({
    apiVersion: CLUSTER_POLICY_API_VERSION,
    kind: 'ClusterPolicy',
    metadata: {
      name: policy.id,
      annotations: {
        ...policyAnnotations(resolved, versions),
        'pod-policies.kyverno.io/autogen-controllers': 'none',
      },
    },
    // `warn`: Audit (the request goes through) with the failure returned as an API warning; emitWarning is a
    // policy-level field in kyverno.io/v1.
    spec: { background: true, ...(enforcement === 'warn' ? { emitWarning: true } : {}), rules: [rule] },
  });
}
