import { compileCel } from '@palisade/cel';
import type { PolicyConfig } from '@palisade/core';
import { compilePolicyRego } from '@palisade/rego';
import { EXEMPT_IMAGES_PARAM } from './names.js';

/** The policy engines a ConstraintTemplate can carry in `spec.targets[0].code`. */
export const ENGINES = ['cel', 'rego'] as const;
export type Engine = (typeof ENGINES)[number];

export interface CodeEntry {
  engine: 'K8sNativeValidation' | 'Rego';
  source: Record<string, unknown>;
}

/** Rego v1 (`source.version: v1`); the legacy `rego:` field is Rego v0 and is not used. */
export function regoCode(config: PolicyConfig): CodeEntry {
  const module = compilePolicyRego(config);
  return { engine: 'Rego', source: { version: 'v1', rego: module.rego, libs: module.libs } };
}

/**
 * Gatekeeper binds `variables.params` to the constraint's `spec.parameters` (null when it has none); image
 * exceptions arrive there as data, whichever constraint instantiates the template.
 */
const PARAMS = 'variables.params';
const EXEMPT_IMAGES = `(${PARAMS} != null && has(${PARAMS}.${EXEMPT_IMAGES_PARAM}) ? ${PARAMS}.${EXEMPT_IMAGES_PARAM} : [])`;

/**
 * K8sNativeValidation: Gatekeeper provides `variables.anyObject` and `variables.params`; the rule's precondition
 * becomes a match condition (an object it does not hold for is not matched: the validator's `skip`). Gatekeeper's
 * source field for match conditions is `matchCondition`.
 */
export function celCode(config: PolicyConfig): CodeEntry {
  const cel = compileCel(config, {
    object: 'variables.anyObject',
    params: PARAMS,
    exemptImages: { expression: EXEMPT_IMAGES },
  });
  const source: Record<string, unknown> = {
    variables: cel.variables.map((v) => ({ name: v.name, expression: v.expression })),
    validations: cel.validations.map((v) => ({
      expression: v.expression,
      messageExpression: v.messageExpression,
    })),
  };
  if (cel.precondition !== undefined) {
    source.matchCondition = [{ name: 'palisade-precondition', expression: cel.precondition }];
  }
  return { engine: 'K8sNativeValidation', source };
}

/** Compiles one engine's code entry for a policy. */
export type CelCompiler = (config: PolicyConfig) => CodeEntry;

export function codeEntries(
  config: PolicyConfig,
  engines: readonly Engine[],
  cel: CelCompiler = celCode,
): CodeEntry[] {
  // CEL first: Gatekeeper evaluates K8sNativeValidation when it is enabled, Rego otherwise.
  return ENGINES.filter((e) => engines.includes(e)).map((engine) =>
    engine === 'rego' ? regoCode(config) : cel(config),
  );
}
