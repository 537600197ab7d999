import { z } from 'zod';
import { globMatch } from './glob.js';
import { labelSelectorSchema, type ResourceIdentity, selectorMatches } from './match.js';

/**
 * A policy exception: exempts resources (by namespace, name, kind or labels) or containers (by image) from
 * named policies, with a reason and an optional expiry. Expired exceptions stop applying.
 */
export const exceptionSchema = z.strictObject({
  name: z.string().min(1),
  /** Policy ids, or "*" for every policy. */
  policies: z.array(z.string().min(1)).min(1),
  reason: z.string().min(1, 'an exception needs a reason'),
  /**
   * Date (`YYYY-MM-DD`, valid through that day, UTC) or RFC 3339 time after which the exception stops applying.
   */
  expires: z
    .string()
    .refine((s) => !Number.isNaN(expiryTime(s)), 'expires must be YYYY-MM-DD or an RFC 3339 time')
    .optional(),
  match: z
    .strictObject({
      namespaces: z.array(z.string().min(1)).optional(),
      names: z.array(z.string().min(1)).optional(),
      kinds: z.array(z.string().min(1)).optional(),
      labels: labelSelectorSchema.optional(),
      /** Image globs: matching containers are skipped; the rest of the resource is still checked. */
      images: z.array(z.string().min(1)).optional(),
    })
    .refine((m) => Object.values(m).some((v) => v !== undefined), 'match must name at least one criterion'),
});
export type PolicyException = z.infer<typeof exceptionSchema>;

function expiryTime(expires: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(expires)) return Date.parse(`${expires}T00:00:00Z`) + 24 * 3600 * 1000;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(expires)) return Number.NaN;
  return Date.parse(expires);
}

export function isExpired(exception: PolicyException, now: Date): boolean {
  return exception.expires !== undefined && now.getTime() >= expiryTime(exception.expires);
}

export function exceptionCoversPolicy(exception: PolicyException, policyId: string): boolean {
  return exception.policies.includes('*') || exception.policies.includes(policyId);
}

/** Whether the resource-level criteria (everything but images) hold for this resource. */
export function exceptionMatchesResource(exception: PolicyException, resource: ResourceIdentity): boolean {
  const m = exception.match;
  if (m.kinds && !m.kinds.includes(resource.kind)) return false;
  if (m.namespaces) {
    const ns = resource.namespace;
    if (ns === undefined || !m.namespaces.some((g) => globMatch(ns, g))) return false;
  }
  if (m.names) {
    const name = resource.name;
    if (name === undefined || !m.names.some((g) => globMatch(name, g))) return false;
  }
  if (m.labels && !selectorMatches(m.labels, resource.labels)) return false;
  return true;
}

/** The exceptions file format: Kubernetes-style documents, so they live in GitOps repos beside manifests. */
export const EXCEPTION_API_VERSION = 'palisade.dev/v1alpha1';
export const exceptionDocumentSchema = z.strictObject({
  apiVersion: z.literal(EXCEPTION_API_VERSION),
  kind: z.literal('PolicyException'),
  metadata: z.looseObject({ name: z.string().min(1) }),
  spec: exceptionSchema.omit({ name: true }),
});

export function exceptionFromDocument(doc: unknown): PolicyException {
  const parsed = exceptionDocumentSchema.parse(doc);
  return { name: parsed.metadata.name, ...parsed.spec };
}
