import { exceptionCoversPolicy, isExpired, type LabelSelector, type PolicyException } from '@palisade/core';

/**
 * What one policy's exceptions become in its constraint. A constraint checks a resource only if every match
 * criterion holds, and a resource is checked only if no exception applies, so each exception must turn into one
 * more criterion: only single-criterion exceptions have that form. Everything else is reported, never dropped
 * silently (the generated constraint is then stricter than the validator).
 */
export interface ConstraintExceptions {
  /** Exceptions expressed in the constraint (for the reference evaluation of samples). */
  applied: PolicyException[];
  excludedNamespaces: string[];
  excludedKinds: string[];
  /** Label requirements that hold exactly when one exception's label selector does not. */
  labelRequirements: NonNullable<LabelSelector['matchExpressions']>;
  exemptImages: string[];
  problems: string[];
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

export function constraintExceptions(
  policyId: string,
  exceptions: readonly PolicyException[],
  now: Date,
): ConstraintExceptions {
  const out: ConstraintExceptions = {
    applied: [],
    excludedNamespaces: [],
    excludedKinds: [],
    labelRequirements: [],
    exemptImages: [],
    problems: [],
  };
  for (const exception of exceptions) {
    if (!exceptionCoversPolicy(exception, policyId) || isExpired(exception, now)) continue;
    const where = `policy ${policyId}: exception "${exception.name}"`;
    const criteria = Object.entries(exception.match).filter(([, v]) => v !== undefined);
    const [first, ...others] = criteria;
    if (!first || others.length > 0) {
      out.problems.push(
        `${where} combines ${criteria.map(([k]) => k).join(' and ')}; a constraint can only exclude by one criterion, so it is not applied`,
      );
      continue;
    }
    const { namespaces, kinds, labels, images, names } = exception.match;
    let expressed = true;
    if (namespaces) {
      const bad = namespaces.filter((g) => !isGatekeeperWildcard(g));
      if (bad.length > 0) {
        out.problems.push(
          `${where}: namespace globs ${bad.map((g) => JSON.stringify(g)).join(', ')} are not Gatekeeper wildcards (a * only at either end), so it is not applied`,
        );
        expressed = false;
      } else out.excludedNamespaces.push(...namespaces);
    } else if (kinds) {
      out.excludedKinds.push(...kinds);
    } else if (labels) {
      const negated = negatedRequirement(labels);
      if (typeof negated === 'string' && negated !== 'never') {
        out.problems.push(`${where}: ${negated}, so it is not applied`);
        expressed = false;
      } else if (negated !== 'never') out.labelRequirements.push(negated);
    } else if (images) {
      out.exemptImages.push(...images);
    } else if (names) {
      out.problems.push(
        `${where}: Gatekeeper constraints cannot exclude resources by name, so it is not applied`,
      );
      expressed = false;
    }
    if (!expressed) continue;
    out.applied.push(exception);
    if (exception.expires !== undefined) {
      out.problems.push(
        `${where} expires ${exception.expires}; Gatekeeper has no expiry, so regenerate the output once it has expired`,
      );
    }
  }
  return out;
}
