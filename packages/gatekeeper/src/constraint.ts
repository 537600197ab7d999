import {
  type Enforcement,
  KIND_API_GROUPS,
  type LabelSelector,
  type Match,
  matchedKinds,
} from '@palisade/core';
import type { ConstraintExceptions } from './exceptions.js';
import { isGatekeeperWildcard } from './exceptions.js';
import {
  CONSTRAINT_API_VERSION,
  constraintName,
  EXEMPT_IMAGES_PARAM,
  EXEMPT_RESOURCES_PARAM,
  templateKind,
} from './names.js';

export const ENFORCEMENT_ACTIONS: Record<Enforcement, string> = {
  audit: 'dryrun',
  warn: 'warn',
  enforce: 'deny',
};

export interface KindsEntry {
  apiGroups: string[];
  kinds: string[];
}

/** Kinds grouped by API group, in the order the match lists them (Pod controllers after Pod). */
export function matchKinds(kinds: readonly string[], policyId: string, problems: string[]): KindsEntry[] {
  const groups = new Map<string, string[]>();
  for (const kind of kinds) {
    const api = KIND_API_GROUPS[kind];
    if (!api) {
      problems.push(
        `policy ${policyId}: kind ${kind} has no known API group, so the constraint does not match it`,
      );
      continue;
    }
    const list = groups.get(api.group) ?? [];
    list.push(kind);
    groups.set(api.group, list);
  }
  return [...groups].map(([group, list]) => ({ apiGroups: [group], kinds: list }));
}

function wildcards(globs: readonly string[], field: string, policyId: string, problems: string[]): string[] {
  const bad = globs.filter((g) => !isGatekeeperWildcard(g));
  if (bad.length > 0) {
    problems.push(
      `policy ${policyId}: match.${field} ${bad.map((g) => JSON.stringify(g)).join(', ')} are not Gatekeeper wildcards (a * only at either end)`,
    );
  }
  return globs.filter(isGatekeeperWildcard);
}

function labelSelector(
  selector: LabelSelector | undefined,
  extra: ConstraintExceptions['labelRequirements'],
): LabelSelector | undefined {
  if (!selector && extra.length === 0) return undefined;
  const out: LabelSelector = {};
  if (selector?.matchLabels) out.matchLabels = selector.matchLabels;
  const expressions = [...(selector?.matchExpressions ?? []), ...extra];
  if (expressions.length > 0) out.matchExpressions = expressions;
  return out;
}

export interface ConstraintInput {
  policyId: string;
  match: Match;
  enforcement: Enforcement;
  params: Record<string, unknown>;
  exceptions: ConstraintExceptions;
  problems: string[];
}

export function buildConstraint(input: ConstraintInput): Record<string, unknown> {
  const { policyId, match, exceptions, problems } = input;
  let kinds = matchedKinds(match).filter((k) => !exceptions.excludedKinds.includes(k));
  if (kinds.length === 0) {
    // No kinds would match every kind: keep the policy's kinds (stricter) and say so.
    problems.push(`policy ${policyId}: kind exceptions exempt every kind it matches; they are not applied`);
    kinds = matchedKinds(match);
  }
  const gatekeeperMatch: Record<string, unknown> = { kinds: matchKinds(kinds, policyId, problems) };
  if (match.namespaces) {
    const namespaces = wildcards(match.namespaces, 'namespaces', policyId, problems);
    // An empty list would match every namespace; ':' cannot occur in a namespace name, so this matches none.
    gatekeeperMatch.namespaces = namespaces.length > 0 ? namespaces : ['palisade:none'];
  }
  const excluded = [
    ...wildcards(match.excludedNamespaces ?? [], 'excludedNamespaces', policyId, problems),
    ...exceptions.excludedNamespaces,
  ];
  if (excluded.length > 0) gatekeeperMatch.excludedNamespaces = [...new Set(excluded)];
  const selector = labelSelector(match.labelSelector, exceptions.labelRequirements);
  if (selector) gatekeeperMatch.labelSelector = selector;

  const parameters: Record<string, unknown> = { ...input.params };
  if (exceptions.exemptImages.length > 0)
    parameters[EXEMPT_IMAGES_PARAM] = [...new Set(exceptions.exemptImages)];
  if (exceptions.exemptResources.length > 0) parameters[EXEMPT_RESOURCES_PARAM] = exceptions.exemptResources;

  const annotations: Record<string, string> = {};
  if (exceptions.applied.length > 0) {
    annotations['palisade.dev/exceptions'] = exceptions.applied
      .map((e) => (e.expires ? `${e.name} (expires ${e.expires})` : e.name))
      .join(', ');
  }
  return {
    apiVersion: CONSTRAINT_API_VERSION,
    kind: templateKind(policyId),
    metadata: {
      name: constraintName(policyId),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec: {
      enforcementAction: ENFORCEMENT_ACTIONS[input.enforcement],
      match: gatekeeperMatch,
      parameters,
    },
  };
}
