import { z } from 'zod';
import { globMatch } from './glob.js';
import { isPodKind, POD_CONTROLLER_KINDS } from './kinds.js';

export const labelSelectorSchema = z.strictObject({
  matchLabels: z.record(z.string(), z.string()).optional(),
  matchExpressions: z
    .array(
      z.strictObject({
        key: z.string().min(1),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.array(z.string()).optional(),
      }),
    )
    .optional(),
});
export type LabelSelector = z.infer<typeof labelSelectorSchema>;

/**
 * What a policy applies to. `kinds: ['Pod']` also covers every Pod controller (Deployment, ReplicaSet, StatefulSet,
 * DaemonSet, Job, ReplicationController, CronJob) unless `podControllers` is false.
 */
export const matchSchema = z.strictObject({
  kinds: z.array(z.string().min(1)).min(1),
  /** @default true */
  podControllers: z.boolean().optional(),
  /** Namespace globs the policy is limited to; all namespaces when absent. */
  namespaces: z.array(z.string().min(1)).optional(),
  /** Namespace globs the policy never applies to. */
  excludedNamespaces: z.array(z.string().min(1)).optional(),
  labelSelector: labelSelectorSchema.optional(),
});
export type Match = z.infer<typeof matchSchema>;
/** What `definePolicy` accepts for `match` (readonly arrays, so `as const` literals work). */
export type MatchInput = {
  readonly [K in keyof Match]: Match[K] extends (infer T)[] | undefined
    ? readonly T[] | Extract<Match[K], undefined>
    : Match[K];
};

/** The kinds a match covers once Pod controllers are expanded. */
export function matchedKinds(match: Match): string[] {
  const kinds = new Set(match.kinds);
  if (kinds.has('Pod') && match.podControllers !== false)
    for (const kind of POD_CONTROLLER_KINDS) kinds.add(kind);
  return [...kinds];
}

/** Whether a policy's `pod` variable exists for this kind: the policy matches Pod kinds and this is one. */
export function appliesAsPod(match: Match, kind: string): boolean {
  return isPodKind(kind) && match.kinds.some(isPodKind);
}

export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {}))
    if (labels[key] !== value) return false;
  for (const expr of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, expr.key);
    const value = labels[expr.key];
    switch (expr.operator) {
      case 'In':
        if (!has || !(expr.values ?? []).includes(value as string)) return false;
        break;
      case 'NotIn':
        if (has && (expr.values ?? []).includes(value as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** The identity of a resource as matching sees it. `namespace` is undefined for cluster-scoped or unset. */
export interface ResourceIdentity {
  kind: string;
  name: string | undefined;
  namespace: string | undefined;
  labels: Readonly<Record<string, string>>;
}

export function matchesResource(
  match: Match,
  resource: ResourceIdentity,
  kinds = matchedKinds(match),
): boolean {
  if (!kinds.includes(resource.kind)) return false;
  const ns = resource.namespace;
  if (match.namespaces && (ns === undefined || !match.namespaces.some((g) => globMatch(ns, g)))) return false;
  if (
    match.excludedNamespaces &&
    ns !== undefined &&
    match.excludedNamespaces.some((g) => globMatch(ns, g))
  ) {
    return false;
  }
  if (match.labelSelector && !selectorMatches(match.labelSelector, resource.labels)) return false;
  return true;
}
