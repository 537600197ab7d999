import { globTest } from '@palisade/cel';
import {
  type EffectivePolicy,
  effectivePolicy,
  matchedKinds,
  type PolicyConfig,
  resourceRules,
} from '@palisade/core';
import { compileForKyverno } from './compiled.js';
import { kyvernoInert } from './inert.js';
import { policyAnnotations, type Versions } from './metadata.js';

export const VALIDATING_POLICY_API_VERSION = 'policies.kyverno.io/v1';

const ACTIONS = { audit: ['Audit'], warn: ['Warn'], enforce: ['Deny'] } as const;

/**
 * A `policies.kyverno.io/v1` ValidatingPolicy. It matches the Pod controllers itself (autogen off). Namespace
 * globs and the rule's `when` become match conditions (a resource they exclude reports `skip`). Image exceptions
 * arrive at admission time through Kyverno's `exceptions.allowedImages`.
 */
export function validatingPolicy(
  config: PolicyConfig | EffectivePolicy,
  versions: Versions,
  withImageExceptions: boolean,
): Record<string, unknown> {
  const resolved = effectivePolicy(config);
  const { policy, match } = resolved;
  const cel = compileForKyverno(resolved, withImageExceptions ? 'exceptions.allowedImages' : undefined);
  const matchConditions: { name: string; expression: string }[] = [];
  if (match.namespaces)
    matchConditions.push({ name: 'namespaces', expression: globTest('namespace', match.namespaces) });
  if (match.excludedNamespaces) {
    const ns = 'object.?metadata.?namespace.orValue(null)';
    matchConditions.push({
      name: 'excluded-namespaces',
      expression: `!(type(${ns}) == string) || !${globTest('namespace', match.excludedNamespaces)}`,
    });
  }
  if (cel.precondition) matchConditions.push({ name: 'when', expression: cel.precondition });
  const constraints: Record<string, unknown> = { resourceRules: resourceRules(matchedKinds(match)) };
  if (match.labelSelector) constraints.objectSelector = match.labelSelector;
  return kyvernoInert({
    apiVersion: VALIDATING_POLICY_API_VERSION,
    kind: 'ValidatingPolicy',
    metadata: { name: policy.id, annotations: policyAnnotations(resolved, versions) },
    spec: {
      validationActions: [...ACTIONS[resolved.enforcement]],
      evaluation: { background: { enabled: true } },
      autogen: { podControllers: { controllers: [] } },
      matchConstraints: constraints,
      ...(matchConditions.length > 0 ? { matchConditions } : {}),
      variables: cel.variables,
      validations: [cel.validation],
    },
  });
}
