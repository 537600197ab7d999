import {
  ANNOTATIONS_BYTES,
  CEL_EXPRESSION_CODE_POINTS,
  checkCelDocumentLimits,
  codePoints,
  NAME_CHARACTERS,
  OBJECT_BYTES,
  overLimit,
  TargetLimitError,
} from '@palisade/cel';

/**
 * What the pinned Kyverno (v1.19.0) and Kubernetes accept of a generated document. A document over a limit is
 * refused where it matters most, in the cluster or at evaluation time (a ValidatingPolicy whose CEL does not
 * compile, every Service failing), so building fails instead, naming the policy, the field and the limit.
 */

/**
 * Characters of a ClusterPolicy name (kyverno api/kyverno/v1/utils.go `ValidatePolicyName`: it is stored in a report
 * label) and of its rule names (api/kyverno/v1/rule_types.go `MaxLength=63`). Both are the policy id.
 */
export const CLUSTER_POLICY_NAME_CHARACTERS = 63;

/** Throws a TargetLimitError when a Kyverno document (policy or exception) is over a limit; `owner` names its source. */
export function checkKyvernoLimits(owner: string, document: Record<string, unknown>): void {
  const kind = String(document.kind);
  const metadata = (document.metadata ?? {}) as { name?: unknown };
  const rules = ((document.spec as { rules?: { name?: unknown }[] } | undefined)?.rules ?? []).map((r) =>
    String(r.name ?? ''),
  );
  const nameLimit =
    kind === 'ClusterPolicy'
      ? { limit: CLUSTER_POLICY_NAME_CHARACTERS, source: 'Kyverno ClusterPolicy and rule names' }
      : { limit: NAME_CHARACTERS, source: 'Kubernetes object names' };
  for (const [what, text] of [
    [`the ${kind} name`, String(metadata.name ?? '')],
    ...rules.map((r) => [`the ${kind} rule name`, r]),
  ] as const) {
    if (text.length > nameLimit.limit)
      throw overLimit(owner, what, text.length, 'characters', nameLimit.limit, nameLimit.source);
  }
  checkCelDocumentLimits(owner, document, 'the CEL parser of Kyverno and Kubernetes');
}

export {
  ANNOTATIONS_BYTES,
  CEL_EXPRESSION_CODE_POINTS,
  codePoints,
  NAME_CHARACTERS,
  OBJECT_BYTES,
  overLimit,
  TargetLimitError,
};
