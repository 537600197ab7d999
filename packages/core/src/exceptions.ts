import { z } from 'zod';
import { expiryInstant, parseExpiry } from './expiry.js';
import { globMatch } from './glob.js';
import { labelSelectorSchema, type ResourceIdentity, selectorMatches } from './match.js';

/**
 * Exception names are Kubernetes names, an RFC 1123 subdomain (what Kubernetes requires of `metadata.name`): at
 * most 253 characters, dot-separated labels of lowercase letters, digits and `-`, each starting and ending with a
 * letter or digit. Files are refused otherwise, so every backend can use the name as it is.
 */
const DNS1123_LABEL = '[a-z0-9](?:[-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_LABEL}(?:\\.${DNS1123_LABEL})*$`);
const MAX_NAME_LENGTH = 253;

export function isKubernetesName(name: string): boolean {
  // The length check first also bounds the regex's work.
  return name.length <= MAX_NAME_LENGTH && DNS1123_SUBDOMAIN.test(name);
}

function nameProblem(name: string): string | undefined {
  if (isKubernetesName(name)) return undefined;
  return (
    `name ${JSON.stringify(name)} is not a Kubernetes name (RFC 1123 subdomain: at most ${MAX_NAME_LENGTH} ` +
    "lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)"
  );
}

const exceptionNameSchema = z.string().superRefine((name, ctx) => {
  const problem = nameProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** A 64-bit FNV-1a hash of the UTF-16 units, in hex: no platform crypto, so core stays dependency-free. */
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return hash.toString(16).padStart(16, '0');
}

/**
 * The Kubernetes name of the resources generated for an exception, the one rule every backend uses: the
 * exception's own name, which the schema guarantees is valid. An exception built in code without the schema may
 * carry any string; it gets a sanitised name with a hash of the original (backends keep the original in an
 * annotation), which is always valid and differs for different originals.
 */
export function exceptionResourceName(name: string): string {
  if (isKubernetesName(name)) return name;
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 40)
    .replace(/^-+|-+$/g, '');
  return `${base || 'exception'}-${fnv1a64(name).slice(0, 10)}`;
}

/**
 * A policy exception: exempts resources (by namespace, name, kind or labels) or containers (by image) from
 * named policies, with a reason and an optional expiry. Expired exceptions stop applying.
 */
export const exceptionSchema = z.strictObject({
  /** A Kubernetes name (RFC 1123 subdomain). */
  name: exceptionNameSchema,
  /** Policy ids, or "*" for every policy. */
  policies: z.array(z.string().min(1)).min(1),
  reason: z.string().min(1, 'an exception needs a reason'),
  /**
   * When the exception stops applying: a date (`YYYY-MM-DD`, the exception applies through that day in UTC) or an
   * RFC 3339 time with an offset (`Z` or `±hh:mm`). See `parseExpiry`.
   */
  expires: z
    .string()
    .superRefine((text, ctx) => {
      const parsed = parseExpiry(text);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.problem });
    })
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

/** Whether the exception no longer applies at `now`; throws for an expiry the schema would refuse. */
export function isExpired(exception: PolicyException, now: Date): boolean {
  return exception.expires !== undefined && now.getTime() >= expiryInstant(exception.expires);
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
  metadata: z.looseObject({ name: exceptionNameSchema }),
  spec: exceptionSchema.omit({ name: true }),
});

export function exceptionFromDocument(doc: unknown): PolicyException {
  const parsed = exceptionDocumentSchema.parse(doc);
  return { name: parsed.metadata.name, ...parsed.spec };
}
