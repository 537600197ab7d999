import {
  type CompiledCel,
  celLiteral,
  compileCel,
  paramVariables,
  readableCel as readable,
} from '@palisade/cel';
import type { EffectivePolicy, Json } from '@palisade/core';

/**
 * A policy compiled for Kyverno: its CEL, with the parameters bound as literal variables built from data (one
 * literal, or chunks of it when it would be over the CEL expression limit).
 */
export interface KyvernoCel {
  variables: { name: string; expression: string }[];
  /** Every check at once: Kyverno reports only the first failing validation, so one carries the whole message. */
  validation: { expression: string; messageExpression: string; message: string };
  precondition: string | undefined;
}

export function compileForKyverno(policy: EffectivePolicy, exemptImages: string | undefined): KyvernoCel {
  // Parameters as the validator evaluates them: parsed by the policy's schema, defaults applied.
  const parsed = policy.params as Json;
  const params = celLiteral(parsed);
  const compiled: CompiledCel = compileCel(policy, {
    object: 'object',
    params: 'variables.params',
    // Match conditions and CEL preconditions cannot read variables: there the parameters are the literal itself.
    preconditionParams: params,
    ...(exemptImages === undefined ? {} : { exemptImages: { expression: exemptImages } }),
  });
  // A check passes when it has no violation messages: reusing the `violations<i>` variables keeps the expression
  // small, and the Kyverno CLI compiles every CEL policy once per resource, so its size is the cost of a run.
  const expression =
    compiled.validations.map((_, i) => `size(variables.violations${i}) == 0`).join(' && ') || 'true';
  return {
    variables: [...paramVariables(parsed, `policy ${policy.policy.id}`), ...compiled.variables].map(
      ({ name, expression }) => ({ name, expression: readable(expression) }),
    ),
    validation: {
      expression: readable(expression),
      messageExpression: readable(compiled.messageExpression),
      // Shown when the message expression cannot be used (Kubernetes refuses multi-line or oversized messages).
      // Kyverno syntax in it is made inert with every other string of the document (inert.ts).
      message: `${policy.policy.title}: ${policy.policy.remediation}`.replace(/\s*\n\s*/g, ' '),
    },
    precondition: compiled.precondition === undefined ? undefined : readable(compiled.precondition),
  };
}
