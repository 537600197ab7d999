import { celLiteral, celString, compileCel, globTest, paramVariables, readableCel } from '@palisade/cel';
import {
  type EffectivePolicy,
  effectivePolicy,
  type Json,
  matchedKinds,
  type PolicyConfig,
  resourceRules,
} from '@palisade/core';
import { policyExceptions } from './exceptions.js';
import { policyAnnotations, VAP_API_VERSION } from './metadata.js';

/**
 * The binding's `validationActions` per enforcement. `warn` is Warn and Audit: the user sees the warning and the
 * audit log records it. Deny is never combined with Warn (the API refuses it: a denial already reaches the user).
 */
export const VALIDATION_ACTIONS = {
  enforce: ['Deny'],
  warn: ['Warn', 'Audit'],
  audit: ['Audit'],
} as const satisfies Record<EffectivePolicy['enforcement'], readonly string[]>;

/**
 * Bytes of an evaluated messageExpression: a longer result, or one with a line break, is replaced by the static
 * `message` (k8s.io/apiserver pkg/apis/cel/config.go `MaxEvaluatedMessageExpressionSizeBytes`, 5 KiB). @palisade/cel
 * already puts messages on one line.
 */
export const MESSAGE_EXPRESSION_BYTES = 5 * 1024;
/**
 * Where an over-long message is cut, in code points (CEL `substring` counts code points, up to 4 bytes each): the
 * cut message and its marker stay under MESSAGE_EXPRESSION_BYTES whatever the characters.
 */
export const MESSAGE_CUT_CODE_POINTS = 1_200;
const CUT_MARKER = ' … (truncated)';

/** Namespace names (DNS labels), which are also valid label values for a `kubernetes.io/metadata.name` selector. */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const exactNamespaces = (globs: readonly string[]): boolean =>
  globs.every((g) => g.length <= 63 && NAMESPACE_NAME.test(g));

export interface VapDocuments {
  policy: Record<string, unknown>;
  binding: Record<string, unknown>;
}

/**
 * A ValidatingAdmissionPolicy and its binding for one policy. Parameters are CEL literals bound as variables (no
 * paramKind: no parameter resource that can go stale or be blocked by the policy it configures), exact namespace
 * names are a namespace selector on the API server's `kubernetes.io/metadata.name` label, namespace globs, the
 * exceptions and the rule's `when` are match conditions, and one validation carries the validator's whole message.
 */
export function vapDocuments(config: PolicyConfig | EffectivePolicy): VapDocuments {
  const resolved = effectivePolicy(config);
  const { policy, match } = resolved;
  const params = resolved.params as Json;
  const exceptions = policyExceptions(resolved);
  const compiled = compileCel(resolved, {
    object: 'object',
    params: 'variables.params',
    // Match conditions cannot read variables: there the parameters are the literal itself.
    preconditionParams: celLiteral(params),
    ...(exceptions.exemptImages === undefined
      ? {}
      : { exemptImages: { expression: exceptions.exemptImages } }),
  });

  const constraints: Record<string, unknown> = { resourceRules: resourceRules(matchedKinds(match)) };
  const namespaceExpressions: Record<string, unknown>[] = [];
  const matchConditions: { name: string; expression: string }[] = [];
  if (match.namespaces) {
    if (exactNamespaces(match.namespaces)) {
      namespaceExpressions.push({
        key: 'kubernetes.io/metadata.name',
        operator: 'In',
        values: [...match.namespaces].sort(),
      });
    } else {
      matchConditions.push({ name: 'namespaces', expression: globTest('namespace', match.namespaces) });
    }
  }
  if (match.excludedNamespaces) {
    if (exactNamespaces(match.excludedNamespaces)) {
      namespaceExpressions.push({
        key: 'kubernetes.io/metadata.name',
        operator: 'NotIn',
        values: [...match.excludedNamespaces].sort(),
      });
    } else {
      matchConditions.push({
        name: 'excluded-namespaces',
        expression: `!${globTest('namespace', match.excludedNamespaces)}`,
      });
    }
  }
  if (namespaceExpressions.length > 0)
    constraints.namespaceSelector = { matchExpressions: namespaceExpressions };
  if (match.labelSelector) constraints.objectSelector = match.labelSelector;
  matchConditions.push(...exceptions.matchConditions);
  if (compiled.precondition) matchConditions.push({ name: 'when', expression: compiled.precondition });

  const checks = compiled.validations.map((_, i) => `size(variables.violations${i}) == 0`).join(' && ');
  const cut = `variables.message.substring(0, ${MESSAGE_CUT_CODE_POINTS}) + ${celString(CUT_MARKER)}`;
  const variables = [
    ...paramVariables(params, `policy ${policy.id}`),
    ...compiled.variables,
    // The validator's message: every violation message, de-duplicated, joined by "; ", on one line.
    { name: 'message', expression: compiled.messageExpression },
  ];
  const annotations: Record<string, string> = { ...policyAnnotations(resolved) };
  if (exceptions.compiled.length > 0) annotations['palisade.dev/exceptions'] = exceptions.compiled.join(', ');

  const policyDocument = {
    apiVersion: VAP_API_VERSION,
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: policy.id, annotations },
    spec: {
      // A security policy fails closed: an object the CEL cannot be evaluated on is refused, not admitted.
      failurePolicy: 'Fail',
      matchConstraints: constraints,
      ...(matchConditions.length > 0
        ? {
            matchConditions: matchConditions.map((c) => ({
              name: c.name,
              expression: readableCel(c.expression),
            })),
          }
        : {}),
      variables: variables.map((v) => ({ name: v.name, expression: readableCel(v.expression) })),
      validations: [
        {
          expression: readableCel(checks || 'true'),
          // Cut rather than replaced by the static message: the violations stay visible.
          messageExpression: readableCel(
            `bytes(variables.message).size() <= ${MESSAGE_EXPRESSION_BYTES} ? variables.message : ${cut}`,
          ),
          // Shown when the message expression cannot be used; the API refuses a line break in it.
          message: `${policy.title}: ${policy.remediation}`.replace(/\s*[\r\n]\s*/g, ' ').trim(),
          reason: 'Forbidden',
        },
      ],
    },
  };
  const binding = {
    apiVersion: VAP_API_VERSION,
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: policy.id },
    spec: { policyName: policy.id, validationActions: [...VALIDATION_ACTIONS[resolved.enforcement]] },
  };
  return { policy: policyDocument, binding };
}
