/**
 * Where each Pod controller keeps its pod template. A policy matching `Pod` applies to all of these, with its
 * `pod` variable rooted at the template, so users get the verdict where they write the workload.
 */
export const POD_TEMPLATE_PATHS = {
  Pod: [],
  Deployment: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  ReplicationController: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
} as const satisfies Record<string, readonly string[]>;

export type PodKind = keyof typeof POD_TEMPLATE_PATHS;

export const POD_CONTROLLER_KINDS = Object.keys(POD_TEMPLATE_PATHS).filter(
  (kind) => kind !== 'Pod',
) as Exclude<PodKind, 'Pod'>[];

/** API group/version of each kind Palisade knows how to match (used by generated match blocks). */
export const KIND_API_GROUPS: Record<string, { group: string; version: string }> = {
  Pod: { group: '', version: 'v1' },
  ReplicationController: { group: '', version: 'v1' },
  Service: { group: '', version: 'v1' },
  ServiceAccount: { group: '', version: 'v1' },
  ConfigMap: { group: '', version: 'v1' },
  Secret: { group: '', version: 'v1' },
  PersistentVolumeClaim: { group: '', version: 'v1' },
  Role: { group: 'rbac.authorization.k8s.io', version: 'v1' },
  RoleBinding: { group: 'rbac.authorization.k8s.io', version: 'v1' },
  Ingress: { group: 'networking.k8s.io', version: 'v1' },
  NetworkPolicy: { group: 'networking.k8s.io', version: 'v1' },
  Deployment: { group: 'apps', version: 'v1' },
  ReplicaSet: { group: 'apps', version: 'v1' },
  StatefulSet: { group: 'apps', version: 'v1' },
  DaemonSet: { group: 'apps', version: 'v1' },
  Job: { group: 'batch', version: 'v1' },
  CronJob: { group: 'batch', version: 'v1' },
};

export function isPodKind(kind: string): kind is PodKind {
  return Object.hasOwn(POD_TEMPLATE_PATHS, kind);
}

/** The pod (or pod template) inside a resource of a Pod kind; undefined when the template is missing. */
export function podOf(kind: PodKind, object: unknown): unknown {
  let node: unknown = object;
  for (const key of POD_TEMPLATE_PATHS[kind]) {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

const PLURALS: Readonly<Record<string, string>> = { Ingress: 'ingresses', NetworkPolicy: 'networkpolicies' };

/** The API resource (plural) of a kind, for admission `resourceRules` (ValidatingAdmissionPolicy, Kyverno's ValidatingPolicy). */
export function resourceOf(kind: string): string {
  return PLURALS[kind] ?? `${kind.toLowerCase()}s`;
}

export interface ResourceRule {
  apiGroups: string[];
  apiVersions: string[];
  operations: string[];
  resources: string[];
}

/**
 * Admission resource rules for exactly `kinds` (CREATE and UPDATE, no subresources): one rule per API group/version,
 * resources sorted, so output is stable.
 */
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
