import { compileCel, exemptEntryMatches, formatCel, labelsOf, metadataOf } from '@palisade/cel';
import type { CompilablePolicy } from '@palisade/core';
import { compilePolicyRego } from '@palisade/rego';
import { EXEMPT_IMAGES_PARAM, EXEMPT_RESOURCES_PARAM } from './names.js';

/** The policy engines a ConstraintTemplate can carry in `spec.targets[0].code`. */
export const ENGINES = ['cel', 'rego'] as const;
export type Engine = (typeof ENGINES)[number];

export interface CodeEntry {
  engine: 'K8sNativeValidation' | 'Rego';
  source: Record<string, unknown>;
}

/** Rego v1 (`source.version: v1`); the legacy `rego:` field is Rego v0 and is not used. */
export function regoCode(policy: CompilablePolicy): CodeEntry {
  const module = compilePolicyRego(policy);
  return { engine: 'Rego', source: { version: 'v1', rego: module.rego, libs: module.libs } };
}

/**
 * Gatekeeper binds `variables.params` to the constraint's `spec.parameters` (null when it has none); image
 * exceptions arrive there as data, whichever constraint instantiates the template.
 */
const PARAMS = 'variables.params';

const OBJECT = 'variables.anyObject';
/*
 * What the exception tests share is bound once as template variables (read as `variables.<name>`), so the
 * template states each of them once and Gatekeeper evaluates each once per object.
 */
const METADATA = 'variables.metadata';
const LABELS = 'variables.labels';
const ENTRIES = 'variables.exemptEntries';

/** Whether exemptResources entry `e` matches the object (shared with every CEL target: @palisade/cel). */
const RESOURCE_MATCHES = exemptEntryMatches(OBJECT, { metadata: METADATA, labels: LABELS });

/** The variables the exception tests read, in dependency order. */
const EXCEPTION_VARIABLES = [
  {
    name: 'metadata',
    expression: metadataOf(OBJECT),
  },
  {
    name: 'labels',
    expression: labelsOf(METADATA),
  },
  // The exemptResources entries (data) that are maps.
  {
    name: 'exemptEntries',
    expression: `(${PARAMS} != null && has(${PARAMS}.${EXEMPT_RESOURCES_PARAM}) && type(${PARAMS}.${EXEMPT_RESOURCES_PARAM}) == list ? ${PARAMS}.${EXEMPT_RESOURCES_PARAM} : []).filter(e, type(e) == map)`,
  },
];

/** `expr` with the exception variables spelled out, for where variables cannot be read (match conditions). */
const withoutVariables = (expr: string): string =>
  [...EXCEPTION_VARIABLES]
    .reverse()
    .reduce((text, v) => text.replaceAll(`variables.${v.name}`, `(${v.expression})`), expr);

/** Resource exceptions (entries without images): the whole object is exempt. */
const EXEMPT_RESOURCE = `${ENTRIES}.exists(e, !has(e.images) && ${RESOURCE_MATCHES})`;

/**
 * Image globs whose containers are skipped: exemptImages everywhere, plus the images of the exemptResources entries
 * that match the object.
 */
const EXEMPT_IMAGES_LIST = `(${PARAMS} != null && has(${PARAMS}.${EXEMPT_IMAGES_PARAM}) ? ${PARAMS}.${EXEMPT_IMAGES_PARAM} : []) + ${ENTRIES}.filter(e, has(e.images) && type(e.images) == list && ${RESOURCE_MATCHES}).map(e, e.images).flatten()`;

/**
 * K8sNativeValidation: Gatekeeper provides `variables.anyObject` and `variables.params`; the rule's precondition
 * becomes a match condition (an object it does not hold for is not matched: the validator's `skip`). Gatekeeper's
 * source field for match conditions is `matchCondition`.
 */
export function celCode(policy: CompilablePolicy): CodeEntry {
  const cel = compileCel(policy, {
    object: 'variables.anyObject',
    params: PARAMS,
    // The rule's `when` (a match condition) may read containers too, and match conditions read no variables.
    exemptImages: {
      expression: policy.rule.when ? withoutVariables(EXEMPT_IMAGES_LIST) : 'variables.exemptImages',
    },
  });
  // Laid out on short lines for reviewers (block scalars in the YAML); white space means nothing to CEL.
  const source: Record<string, unknown> = {
    variables: [
      ...EXCEPTION_VARIABLES.map((v) => ({ name: v.name, expression: formatCel(v.expression) })),
      { name: 'exemptResource', expression: formatCel(EXEMPT_RESOURCE) },
      { name: 'exemptImages', expression: formatCel(EXEMPT_IMAGES_LIST) },
      ...cel.variables.map((v) => ({ name: v.name, expression: formatCel(v.expression) })),
    ],
    validations: cel.validations.map((v) => ({
      expression: formatCel(`variables.exemptResource || (${v.expression})`),
      messageExpression: formatCel(v.messageExpression),
    })),
  };
  if (cel.precondition !== undefined) {
    source.matchCondition = [{ name: 'palisade-precondition', expression: formatCel(cel.precondition) }];
  }
  return { engine: 'K8sNativeValidation', source };
}

/** Compiles one engine's code entry for a policy. */
export type CelCompiler = (policy: CompilablePolicy) => CodeEntry;

export function codeEntries(
  policy: CompilablePolicy,
  engines: readonly Engine[],
  cel: CelCompiler = celCode,
): CodeEntry[] {
  // CEL first: Gatekeeper evaluates K8sNativeValidation when it is enabled, Rego otherwise.
  return ENGINES.filter((e) => engines.includes(e)).map((engine) =>
    engine === 'rego' ? regoCode(policy) : cel(policy),
  );
}
