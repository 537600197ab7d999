import { celString, exceptionResourceTest, formatCel } from '@palisade/cel';
import { type EffectivePolicy, isExpired, type PolicyConfig, type PolicyException } from '@palisade/core';

/**
 * What a ValidatingAdmissionPolicy can express of a policy's live exceptions. The API has no exception resource, so
 * exceptions are compiled into the policy:
 * - resource criteria (kinds, namespace and name globs, labels) become a match condition `!(criteria)`, so a
 *   covered object is not evaluated at all;
 * - images become a CEL list of exempt image globs, guarded by the exception's resource criteria, which the
 *   policy's `containers` collections skip (as the validator does), the rest of the object still checked.
 * Admission CEL has no clock, so an expiry cannot be compiled: exceptions expired at build time are left out, live
 * ones with an expiry are compiled in, and both are reported (`notes`).
 */
export interface VapExceptions {
  matchConditions: { name: string; expression: string }[];
  /** A CEL expression of the list of exempt image globs for the admitted object; undefined with no image exception. */
  exemptImages: string | undefined;
  /** The exceptions compiled in, for the policy's annotation: `name` or `name (expires …)`. */
  compiled: string[];
}

/** A match condition name (a qualified name: at most 63 characters, alphanumeric at both ends). */
function conditionName(exception: string, index: number): string {
  const name = `exception-${exception}`;
  return name.length <= 63 && /^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/.test(name) ? name : `exception-${index}`;
}

export function policyExceptions(policy: EffectivePolicy): VapExceptions {
  const out: VapExceptions = { matchConditions: [], exemptImages: undefined, compiled: [] };
  const images: string[] = [];
  const live = [...policy.exceptions.live].sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const [i, exception] of live.entries()) {
    const test = exceptionResourceTest(exception.match);
    out.compiled.push(
      exception.expires ? `${exception.name} (expires ${exception.expires})` : exception.name,
    );
    if (exception.match.images) {
      const globs = `[${exception.match.images.map(celString).join(', ')}]`;
      images.push(test === 'true' ? globs : `(${test} ? ${globs} : [])`);
    } else {
      out.matchConditions.push({
        name: conditionName(exception.name, i),
        expression: formatCel(`!(${test})`),
      });
    }
  }
  if (images.length > 0) out.exemptImages = images.join(' + ');
  return out;
}

/**
 * The build's notes on exceptions: expired ones (left out), live ones with an expiry (compiled in, so the output
 * must be rebuilt once they expire), and policies they name that are not built.
 */
export function exceptionNotes(
  exceptions: readonly PolicyException[],
  policies: readonly (PolicyConfig | EffectivePolicy)[],
  now: Date,
): string[] {
  const notes: string[] = [];
  const ids = new Set(policies.map((p) => p.policy.id));
  for (const exception of [...exceptions].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (isExpired(exception, now)) {
      notes.push(`exception ${exception.name} expired (${exception.expires}): not generated`);
      continue;
    }
    for (const id of exception.policies) {
      if (id !== '*' && !ids.has(id))
        notes.push(`exception ${exception.name} names policy ${id}, which is not generated`);
    }
    const covered = exception.policies.includes('*')
      ? [...ids].sort()
      : exception.policies.filter((id) => ids.has(id)).sort();
    if (covered.length > 0 && exception.expires) {
      notes.push(
        `exception ${exception.name} expires ${exception.expires}: a ValidatingAdmissionPolicy cannot expire it ` +
          `(admission CEL has no clock), so it is compiled into ${covered.join(', ')}; rebuild after ` +
          `${exception.expires} to remove it`,
      );
    }
  }
  return notes;
}
