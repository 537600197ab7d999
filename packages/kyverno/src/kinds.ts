import { KIND_API_GROUPS } from '@palisade/core';

const PLURALS: Readonly<Record<string, string>> = { Ingress: 'ingresses', NetworkPolicy: 'networkpolicies' };

/** The API resource (plural) of a kind, for ValidatingPolicy `resourceRules`. */
export function resourceOf(kind: string): string {
  return PLURALS[kind] ?? `${kind.toLowerCase()}s`;
}

export interface ResourceRule {
  apiGroups: string[];
  apiVersions: string[];
  operations: string[];
  resources: string[];
}

/** One resource rule per API group/version, resources sorted, so output is stable. */
export function resourceRules(kinds: readonly string[]): ResourceRule[] {
  const byGroup = new Map<string, { group: string; version: string; resources: Set<string> }>();
  for (const kind of kinds) {
    const api = KIND_API_GROUPS[kind];
    if (!api) throw new Error(`no API group is known for kind ${kind}`);
    const key = `${api.group}/${api.version}`;
    const entry = byGroup.get(key) ?? { ...api, resources: new Set<string>() };
    entry.resources.add(resourceOf(kind));
    byGroup.set(key, entry);
  }
  return [...byGroup.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([, e]) => ({
      apiGroups: [e.group],
      apiVersions: [e.version],
      operations: ['CREATE', 'UPDATE'],
      resources: [...e.resources].sort(),
    }));
}
