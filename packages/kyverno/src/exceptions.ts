import { celString, exceptionResourceTest, formatCel } from '@palisade/cel';
import {
  type EffectivePolicy,
  effectivePolicy,
  exceptionResourceName,
  expiryTimestamp,
  isExpired,
  matchedKinds,
  type PolicyConfig,
  type PolicyException,
} from '@palisade/core';
import { kyvernoInert } from './inert.js';

export const CLUSTER_EXCEPTION_API_VERSION = 'kyverno.io/v2';
export const CEL_EXCEPTION_API_VERSION = 'policies.kyverno.io/v1';

export interface KyvernoExceptions {
  /** `kyverno.io/v2` PolicyExceptions for the ClusterPolicies, by exception name. */
  cluster: Map<string, Record<string, unknown>>;
  /** `policies.kyverno.io/v1` PolicyExceptions for the ValidatingPolicies, by exception name. */
  validating: Map<string, Record<string, unknown>>;
  /**
   * Per policy id, a CEL list of the image globs exempted for the admitted object: kyverno.io/v2 exceptions have
   * no image field, so image exceptions are baked into the ClusterPolicy's CEL.
   */
  clusterExemptImages: Map<string, string>;
  /** Policy ids some image exception covers: their ValidatingPolicy reads `exceptions.allowedImages`. */
  imageExceptionPolicies: Set<string>;
  problems: string[];
}

/** The rule of @palisade/core: the exception's name, or a valid name with a hash for one built in code. */
export { exceptionResourceName };

const annotations = (exception: PolicyException): Record<string, string> => ({
  'palisade.dev/exception': exception.name,
  'palisade.dev/reason': exception.reason,
  ...(exception.expires ? { 'palisade.dev/expires': exception.expires } : {}),
});

export function buildExceptions(
  exceptions: readonly PolicyException[],
  policies: readonly (PolicyConfig | EffectivePolicy)[],
  now: Date,
): KyvernoExceptions {
  const out: KyvernoExceptions = {
    cluster: new Map(),
    validating: new Map(),
    clusterExemptImages: new Map(),
    imageExceptionPolicies: new Set(),
    problems: [],
  };
  const byId = new Map(policies.map((p) => [p.policy.id, p]));
  const bakedImages = new Map<string, string[]>();
  /** Generated resource name → the exception it belongs to. */
  const claimed = new Map<string, string>();
  for (const exception of [...exceptions].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (isExpired(exception, now)) {
      out.problems.push(`exception ${exception.name} expired (${exception.expires}): not generated`);
      continue;
    }
    for (const id of exception.policies) {
      if (id !== '*' && !byId.has(id))
        out.problems.push(`exception ${exception.name} names policy ${id}, which is not generated`);
    }
    const covered = exception.policies.includes('*')
      ? [...byId.keys()].sort()
      : exception.policies.filter((id) => byId.has(id)).sort();
    if (covered.length === 0) continue;
    const images = exception.match.images;
    const test = exceptionResourceTest(exception.match);

    // ValidatingPolicies: a CEL PolicyException with an expiry and, for image exceptions, the images.
    const name = exceptionResourceName(exception.name);
    const clash = claimed.get(name);
    if (clash !== undefined) {
      // Two exceptions under one resource name would leave one of them out of the output.
      throw new Error(
        `exceptions ${JSON.stringify(clash)} and ${JSON.stringify(exception.name)} both become the Kyverno ` +
          `PolicyException ${name}; give them different names`,
      );
    }
    claimed.set(name, exception.name);
    // Its images are data compared as written by the policy's CEL (`exceptions.allowedImages`); Kyverno does not
    // substitute CEL PolicyExceptions (pkg/cel has no variable substitution), so they stay raw.
    const imagesField = (path: readonly string[]) => path[0] === 'spec' && path[1] === 'images';
    const validatingException = {
      apiVersion: CEL_EXCEPTION_API_VERSION,
      kind: 'PolicyException',
      metadata: { name, annotations: annotations(exception) },
      spec: {
        policyRefs: covered.map((name) => ({ name, kind: 'ValidatingPolicy' })),
        matchConditions: [{ name: 'resource', expression: formatCel(test) }],
        ...(images ? { images } : {}),
        // A valid `date-time`: RFC 3339 in UTC, whatever form the expiry was written in.
        ...(exception.expires ? { expiresAt: expiryTimestamp(exception.expires) } : {}),
      },
    };
    out.validating.set(name, kyvernoInert(validatingException, imagesField));
    if (images) for (const id of covered) out.imageExceptionPolicies.add(id);

    // ClusterPolicies: kyverno.io/v2 has neither expiry nor images.
    if (exception.expires) {
      out.problems.push(
        `exception ${exception.name}: kyverno.io/v2 PolicyExceptions cannot expire; remove it from the ClusterPolicy ` +
          `output after ${exception.expires} (the ValidatingPolicy exception expires by itself)`,
      );
    }
    if (images) {
      const entry = `(${test} ? [${images.map(celString).join(', ')}] : [])`;
      for (const id of covered) bakedImages.set(id, [...(bakedImages.get(id) ?? []), entry]);
      out.problems.push(
        `exception ${exception.name} exempts images, which kyverno.io/v2 PolicyExceptions cannot express: it is ` +
          `compiled into the ClusterPolicies ${covered.join(', ')} (regenerate them when it changes)`,
      );
      continue;
    }
    const m = exception.match;
    const kindsOf = (id: string): string[] => {
      const config = byId.get(id);
      return config ? matchedKinds(effectivePolicy(config).match) : [];
    };
    const kinds = m.kinds ?? [...new Set(covered.flatMap(kindsOf))].sort();
    const resources: Record<string, unknown> = { kinds };
    if (m.namespaces) resources.namespaces = m.namespaces;
    if (m.names) resources.names = m.names;
    if (m.labels) resources.selector = m.labels;
    out.cluster.set(
      name,
      kyvernoInert({
        apiVersion: CLUSTER_EXCEPTION_API_VERSION,
        kind: 'PolicyException',
        metadata: { name, annotations: annotations(exception) },
        spec: {
          background: true,
          exceptions: covered.map((id) => ({ policyName: id, ruleNames: [id] })),
          match: { any: [{ resources }] },
        },
      }),
    );
  }
  for (const [id, entries] of bakedImages) out.clusterExemptImages.set(id, entries.join(' + '));
  return out;
}
