import { isExpired, type PolicyException } from '@palisade/core';
import { catalogue } from '@palisade/policies';

/** Problems with exceptions that do not stop a run: expired ones, and ones naming policies that do not exist. */
export function exceptionWarnings(exceptions: readonly PolicyException[], now: Date): string[] {
  const known = new Set(catalogue.map((p) => p.id));
  const warnings: string[] = [];
  for (const exception of exceptions) {
    if (isExpired(exception, now)) {
      warnings.push(`exception ${exception.name} expired (${exception.expires}); it no longer applies`);
    }
    for (const id of exception.policies) {
      if (id !== '*' && !known.has(id))
        warnings.push(`exception ${exception.name} names unknown policy "${id}"`);
    }
  }
  return warnings;
}
