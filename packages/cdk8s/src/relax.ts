import { EXCEPTION_API_VERSION, exceptionSchema, isExpired, type PolicyException } from '@palisade/core';
import type { PolicyResult, Validator } from '@palisade/validator';
import type { PolicyId } from './policies.js';

/**
 * An explicit, reviewed departure from one policy. A construct accepts a relaxation only when its output really
 * breaks the named policy, and then emits the matching Palisade `PolicyException` beside the resource, so every
 * backend (the validator, the cdk8s plugin, Gatekeeper, Kyverno) agrees the resource is excepted, and why.
 */
export interface Relaxation<P extends string = PolicyId> {
  /** The policy the option breaks. */
  readonly policy: P;
  /** Why this workload needs it; it is copied into the exception for reviewers and reports. Must not be blank. */
  readonly reason: string;
  /**
   * When the exception stops applying: `YYYY-MM-DD` (valid through that day, UTC) or an RFC 3339 time. Past it,
   * the construct refuses to build, so a temporary relaxation cannot outlive its review.
   *
   * @default - never expires
   */
  readonly expires?: string;
}

/** A construct was given options that break a policy without a relaxation, or an invalid relaxation. */
export class PalisadeConfigError extends Error {
  override readonly name = 'PalisadeConfigError';
}

/** The resource a relaxation is about, as exceptions match it. */
export interface ResourceRef {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string | undefined;
}

export function describeRef(ref: ResourceRef): string {
  return `${ref.kind} ${ref.namespace === undefined ? ref.name : `${ref.namespace}/${ref.name}`}`;
}

/** Checks relaxations on their own (before the output is known): known ids, a reason, a valid and future expiry. */
export function checkRelaxations(
  relax: readonly Relaxation<string>[],
  relaxable: readonly string[],
  where: string,
  now: Date,
): void {
  const seen = new Set<string>();
  for (const entry of relax) {
    // Plain JavaScript callers and YAML-driven code bypass the compiler, so the id is checked here too.
    if (!relaxable.includes(entry.policy)) {
      throw new PalisadeConfigError(
        `${where}: relax names "${entry.policy}", which is not a policy this construct can break ` +
          `(it can break: ${relaxable.join(', ')})`,
      );
    }
    if (seen.has(entry.policy)) {
      throw new PalisadeConfigError(
        `${where}: relax names "${entry.policy}" twice; give one entry per policy`,
      );
    }
    seen.add(entry.policy);
    if (typeof entry.reason !== 'string' || entry.reason.trim() === '') {
      throw new PalisadeConfigError(
        `${where}: relaxing "${entry.policy}" needs a reason (who reviewed it and why the workload needs it)`,
      );
    }
    if (entry.expires !== undefined) {
      const parsed = exceptionSchema.shape.expires.safeParse(entry.expires);
      if (!parsed.success) {
        throw new PalisadeConfigError(
          `${where}: relaxing "${entry.policy}": expires "${entry.expires}" must be YYYY-MM-DD or an RFC 3339 time`,
        );
      }
      const probe = { name: 'probe', policies: ['*'], reason: 'probe', expires: entry.expires, match: {} };
      if (isExpired(probe, now)) {
        throw new PalisadeConfigError(
          `${where}: the relaxation of "${entry.policy}" expired on ${entry.expires}; fix the workload or renew ` +
            'the relaxation after a new review',
        );
      }
    }
  }
}

/** Failing results of the validator on `object`, by policy id. */
export function failingPolicies(
  validator: Validator,
  object: Record<string, unknown>,
): Map<string, PolicyResult> {
  const failing = new Map<string, PolicyResult>();
  for (const result of validator.validate(object)) {
    if (result.status === 'fail' || result.status === 'warn' || result.status === 'error') {
      failing.set(result.policy.id, result);
    }
  }
  return failing;
}

function explain(result: PolicyResult): string {
  const messages = [...new Set(result.violations.map((v) => v.message))];
  return (
    `  - ${result.policy.id}: ${messages.join('; ') || result.message}\n` +
    `    fix: ${result.policy.remediation}\n` +
    `    or, if this is intended, relax it: relax: [{ policy: '${result.policy.id}', reason: '<why>' }]`
  );
}

/**
 * Compares what the output breaks with what is relaxed, and returns the policies each relaxation's exception
 * covers. Both directions are errors: a broken policy that is not relaxed (the construct would emit non-compliant
 * output), and a relaxation of a policy the output does not break (an exception that excepts nothing would
 * silently cover a later regression). A baseline policy that a relaxed restricted policy replaces (and that the
 * output breaks too) is covered by the same exception without being named.
 */
export function enforceCompliance(
  failing: ReadonlyMap<string, PolicyResult>,
  relax: readonly Relaxation<string>[],
  where: string,
  impliedBy: ReadonlyMap<string, readonly string[]>,
): Map<string, string[]> {
  const relaxed = new Set(relax.map((r) => r.policy));
  const covers = new Map<string, string[]>();
  for (const entry of relax) {
    const implied = (impliedBy.get(entry.policy) ?? []).filter((id) => failing.has(id) && !relaxed.has(id));
    covers.set(entry.policy, [entry.policy, ...implied]);
  }
  const covered = new Set([...covers.values()].flat());
  const uncovered = [...failing.values()].filter((r) => !covered.has(r.policy.id));
  if (uncovered.length > 0) {
    throw new PalisadeConfigError(
      `${where} breaks ${uncovered.length === 1 ? 'a Palisade policy' : `${uncovered.length} Palisade policies`}:\n` +
        uncovered.map(explain).join('\n'),
    );
  }
  const needless = relax.filter((r) => !failing.has(r.policy));
  if (needless.length > 0) {
    throw new PalisadeConfigError(
      `${where}: relax names ${needless.map((r) => `"${r.policy}"`).join(', ')}, but no option of this construct ` +
        'breaks it; remove the entry (an exception that excepts nothing would hide a later regression)',
    );
  }
  return covers;
}

/** The annotation that links an emitted exception back to the construct that asked for it. */
export const CONSTRUCT_PATH_ANNOTATION = 'palisade.dev/construct-path';
/** The annotation on a relaxed resource listing the exceptions emitted for it. */
export const EXCEPTIONS_ANNOTATION = 'palisade.dev/exceptions';

/** DNS-1123 subdomains are at most 253 characters; kind and policy make the name unique per resource. */
export function exceptionName(ref: ResourceRef, policy: string): string {
  return `${ref.name}-${ref.kind.toLowerCase()}-${policy}`.slice(0, 253).replace(/[-.]+$/, '');
}

/**
 * The exception a relaxation stands for: exactly this resource (namespace, name and kind) and the relaxed policy
 * (with the baseline policies it replaces, when the output breaks those too).
 */
export function exceptionFor(
  ref: ResourceRef,
  relaxation: Relaxation<string>,
  policies: readonly string[],
): PolicyException {
  return {
    name: exceptionName(ref, relaxation.policy),
    policies: [...policies],
    reason: relaxation.reason.trim(),
    ...(relaxation.expires === undefined ? {} : { expires: relaxation.expires }),
    match: {
      ...(ref.namespace === undefined ? {} : { namespaces: [ref.namespace] }),
      names: [ref.name],
      kinds: [ref.kind],
    },
  };
}

/** The `palisade.dev/v1alpha1` PolicyException document of an exception (see `exceptionDocumentSchema`). */
export function exceptionDocument(
  exception: PolicyException,
  constructPath: string,
): {
  apiVersion: string;
  kind: 'PolicyException';
  metadata: Record<string, unknown>;
  spec: Record<string, unknown>;
} {
  const { name, ...spec } = exception;
  return {
    apiVersion: EXCEPTION_API_VERSION,
    kind: 'PolicyException',
    metadata: { name, annotations: { [CONSTRUCT_PATH_ANNOTATION]: constructPath } },
    spec,
  };
}
