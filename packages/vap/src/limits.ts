import {
  ANNOTATIONS_BYTES,
  CEL_EXPRESSION_CODE_POINTS,
  celExpressionsOf,
  codePoints,
  NAME_CHARACTERS,
  OBJECT_BYTES,
  overLimit,
  utf8Bytes,
} from '@palisade/cel';

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
  const metadata = (document.metadata ?? {}) as { name?: unknown; annotations?: Record<string, string> };
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
  for (const { path, expression } of celExpressionsOf(document)) {
    const size = codePoints(expression);
    if (size > CEL_EXPRESSION_CODE_POINTS) {
      throw overLimit(
        owner,
        `the CEL expression at ${path} of the ${kind}`,
        size,
        'characters',
        CEL_EXPRESSION_CODE_POINTS,
        'the CEL parser of Kubernetes',
      );
    }
  }
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
  const annotations = Object.entries(metadata.annotations ?? {}).reduce(
    (sum, [k, v]) => sum + utf8Bytes(k) + utf8Bytes(v),
    0,
  );
  if (annotations > ANNOTATIONS_BYTES) {
    throw overLimit(
      owner,
      `the annotations of the ${kind}`,
      annotations,
      'bytes',
      ANNOTATIONS_BYTES,
      'Kubernetes annotations',
    );
  }
  const bytes = utf8Bytes(JSON.stringify(document));
  if (bytes > OBJECT_BYTES)
    throw overLimit(owner, `the ${kind}`, bytes, 'bytes', OBJECT_BYTES, 'the default etcd request size');
}
