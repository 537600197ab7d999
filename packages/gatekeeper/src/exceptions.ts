import type { EffectivePolicy, LabelSelector, PolicyException } from '@palisade/core';

/**
 * What one policy's exceptions become in its constraint. A constraint checks a resource only if every match
 * criterion holds, so a single-criterion exception becomes one more match criterion (excluded namespaces, kinds,
 * a negated label requirement), which Gatekeeper's audit and admission both honour before the template runs.
 * Any other exception (names, combinations, several label requirements, namespace globs that are not
 * Gatekeeper wildcards, images limited to some resources) travels as data in the `exemptResources` parameter,
 * which both engines' code reads. Nothing is dropped: what cannot apply (an expired exception) is reported.
 */
export interface ConstraintExceptions {
  /** Exceptions expressed in the constraint (for the reference evaluation of samples). */
  applied: PolicyException[];
  excludedNamespaces: string[];
  excludedKinds: string[];
  /** Label requirements that hold exactly when one exception's label selector does not. */
  labelRequirements: NonNullable<LabelSelector['matchExpressions']>;
  exemptImages: string[];
  /** Resource exceptions the match cannot express, as data for the templates (`exemptResources`). */
  exemptResources: ExemptResource[];
  problems: string[];
}

/** One entry of the `exemptResources` parameter: an exception's resource criteria. */
export interface ExemptResource {
  kinds?: string[];
  namespaces?: string[];
  names?: string[];
  labels?: LabelSelector;
  /** With images, only those containers are exempt, in the resources the other criteria match. */
  images?: string[];
}

function exemptResource(match: PolicyException['match']): ExemptResource {
  const entry: ExemptResource = {};
  if (match.kinds) entry.kinds = [...match.kinds];
  if (match.namespaces) entry.namespaces = [...match.namespaces];
  if (match.names) entry.names = [...match.names];
  if (match.labels) entry.labels = match.labels;
  if (match.images) entry.images = [...match.images];
  return entry;
}

/** Gatekeeper's namespace wildcard: a literal with an optional `*` at either end (its CRD validation pattern). */
const GATEKEEPER_WILDCARD = /^\*?[-:a-z0-9]*\*?$/;

export function isGatekeeperWildcard(glob: string): boolean {
  return GATEKEEPER_WILDCARD.test(glob);
}

type Requirement = NonNullable<LabelSelector['matchExpressions']>[number];

/** The single requirement of a selector, negated; a reason string when that is not possible. */
function negatedRequirement(selector: LabelSelector): Requirement | 'never' | string {
  const requirements: Requirement[] = [
    ...Object.entries(selector.matchLabels ?? {}).map(
      ([key, value]): Requirement => ({ key, operator: 'In', values: [value] }),
    ),
    ...(selector.matchExpressions ?? []),
  ];
  const [only, ...rest] = requirements;
  if (!only) return 'an empty label selector exempts every resource';
  if (rest.length > 0) return 'a label selector with several requirements cannot be negated into one';
  const values = only.values ?? [];
  switch (only.operator) {
    case 'In':
      // In with no values never holds: the exception never applies.
      return values.length === 0 ? 'never' : { key: only.key, operator: 'NotIn', values };
    case 'NotIn':
      return values.length === 0
        ? 'NotIn with no values exempts every resource'
        : { key: only.key, operator: 'In', values };
    case 'Exists':
      return { key: only.key, operator: 'DoesNotExist' };
    case 'DoesNotExist':
      return { key: only.key, operator: 'Exists' };
  }
}

/** The policy's live exceptions (resolution decided which cover it and which expired). */
export function constraintExceptions(
  policy: Pick<EffectivePolicy, 'policy' | 'exceptions'>,
): ConstraintExceptions {
  const policyId = policy.policy.id;
  const out: ConstraintExceptions = {
    applied: [],
    excludedNamespaces: [],
    excludedKinds: [],
    labelRequirements: [],
    exemptImages: [],
    exemptResources: [],
    problems: [],
  };
  for (const exception of policy.exceptions.live) {
    const where = `policy ${policyId}: exception "${exception.name}"`;
    const criteria = Object.entries(exception.match).filter(([, v]) => v !== undefined);
    const { namespaces, kinds, labels, images } = exception.match;
    let asMatch = criteria.length === 1;
    if (asMatch && namespaces && !namespaces.every(isGatekeeperWildcard)) asMatch = false;
    const negated = asMatch && labels ? negatedRequirement(labels) : undefined;
    if (typeof negated === 'string' && negated !== 'never') asMatch = false;
    if (asMatch && exception.match.names) asMatch = false;
    if (criteria.length === 0) asMatch = false;

    if (asMatch && namespaces) out.excludedNamespaces.push(...namespaces);
    else if (asMatch && kinds) out.excludedKinds.push(...kinds);
    else if (asMatch && labels) {
      if (negated !== 'never' && negated !== undefined) out.labelRequirements.push(negated as Requirement);
    } else if (asMatch && images) out.exemptImages.push(...images);
    else out.exemptResources.push(exemptResource(exception.match));
    out.applied.push(exception);
    if (exception.expires !== undefined) {
      out.problems.push(
        `${where} expires ${exception.expires}; Gatekeeper has no expiry, so regenerate the output once it has expired`,
      );
    }
  }
  return out;
}
