import { checkCelDocumentLimits, NAME_CHARACTERS, overLimit } from '@palisade/cel';

/**
 * Match conditions of one ValidatingAdmissionPolicy: k8s.io/kubernetes pkg/apis/admissionregistration/validation
 * (`maxMatchConditions`, 64).
 */
export const MATCH_CONDITIONS = 64;

/**
 * Throws a TargetLimitError when a generated ValidatingAdmissionPolicy or binding is over what the API server
 * accepts: it would refuse the document, or its CEL would not compile, so the policy would not enforce. Building
 * fails instead, naming the policy, the field and the limit.
 */
export function checkVapLimits(owner: string, document: Record<string, unknown>): void {
  const kind = String(document.kind);
  const metadata = (document.metadata ?? {}) as { name?: unknown };
  const name = String(metadata.name ?? '');
  if (name.length > NAME_CHARACTERS)
    throw overLimit(
      owner,
      `the ${kind} name`,
      name.length,
      'characters',
      NAME_CHARACTERS,
      'Kubernetes object names',
    );
  const conditions = ((document.spec as { matchConditions?: unknown[] } | undefined)?.matchConditions ?? [])
    .length;
  if (conditions > MATCH_CONDITIONS) {
    throw overLimit(
      owner,
      `the match conditions of the ${kind}`,
      conditions,
      'conditions',
      MATCH_CONDITIONS,
      'the ValidatingAdmissionPolicy API',
    );
  }
  checkCelDocumentLimits(owner, document, 'the CEL parser of Kubernetes');
}
